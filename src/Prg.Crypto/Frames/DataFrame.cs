// The data ciphertext frame of spec/kms.md §2: encrypts message bodies, message versions and
// titles under a thread DEK into caller-provided spans, with the frame bound to its thread and
// record through the AAD. No heap allocation per call for ordinary identifier lengths.
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Prg.Crypto;

/// <summary>
/// Data frame: <c>format(1)=0x01 | dek_version(4, big-endian) | nonce(12) | ciphertext | tag(16)</c>,
/// AES-256-GCM with a 96-bit random nonce per encryption.
/// </summary>
/// <remarks>
/// AAD layout (exact bytes):
/// <code>
/// 0x01                                  format byte (1)
/// dek_version                           uint32 big-endian (4)
/// len(thread_id) | thread_id            uint16 big-endian byte count, then strict UTF-8
/// len(record_id) | record_id            uint16 big-endian byte count, then strict UTF-8
/// </code>
/// so a frame moved to another thread, record, message version or DEK version fails authentication.
/// </remarks>
public static class DataFrame
{
    /// <summary>Format byte of version-1 data frames.</summary>
    public const byte FormatV1 = 0x01;

    /// <summary>format(1) + dek_version(4).</summary>
    public const int HeaderLength = 5;

    public const int NonceLength = 12;

    public const int TagLength = 16;

    /// <summary>Bytes a frame adds to the plaintext.</summary>
    public const int Overhead = HeaderLength + NonceLength + TagLength;

    private const int CiphertextOffset = HeaderLength + NonceLength;

    /// <summary>Size of the frame for a plaintext of the given size.</summary>
    public static int GetEncryptedLength(int plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(plaintextLength, int.MaxValue - Overhead);
        return plaintextLength + Overhead;
    }

    /// <summary>Size of the plaintext in a frame.</summary>
    /// <exception cref="MalformedFrameException">The bytes are not a version-1 data frame.</exception>
    public static int GetPlaintextLength(ReadOnlySpan<byte> frame)
    {
        ThrowIfMalformed(frame);
        return frame.Length - Overhead;
    }

    /// <summary>Reads the DEK version a frame was encrypted under, so the caller can pick the DEK.</summary>
    public static bool TryReadDekVersion(ReadOnlySpan<byte> frame, out uint dekVersion)
    {
        if (frame.Length < Overhead || frame[0] != FormatV1)
        {
            dekVersion = 0;
            return false;
        }

        dekVersion = BinaryPrimitives.ReadUInt32BigEndian(frame.Slice(1, 4));
        return true;
    }

    /// <exception cref="MalformedFrameException">The bytes are not a version-1 data frame.</exception>
    public static uint ReadDekVersion(ReadOnlySpan<byte> frame)
    {
        ThrowIfMalformed(frame);
        return BinaryPrimitives.ReadUInt32BigEndian(frame.Slice(1, 4));
    }

    /// <summary>Encrypts <paramref name="plaintext"/> into a frame bound to <paramref name="aad"/>.</summary>
    /// <returns>Bytes written (<see cref="GetEncryptedLength"/>).</returns>
    public static int Encrypt(AesGcm aes, uint dekVersion, RecordAad aad, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        Span<char> recordId = stackalloc char[RecordAad.StackRecordIdChars];
        return Encrypt(aes, dekVersion, aad.ThreadId, aad.RecordIdChars(recordId), plaintext, destination);
    }

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> under <paramref name="aes"/> (the DEK of
    /// <paramref name="dekVersion"/>) into <paramref name="destination"/>, which must hold
    /// <see cref="GetEncryptedLength"/> bytes and must not overlap the plaintext.
    /// </summary>
    /// <returns>Bytes written.</returns>
    public static int Encrypt(
        AesGcm aes,
        uint dekVersion,
        ReadOnlySpan<char> threadId,
        ReadOnlySpan<char> recordId,
        ReadOnlySpan<byte> plaintext,
        Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(aes);
        return Seal(new AesGcmSealer(aes), dekVersion, threadId, recordId, plaintext, destination);
    }

    /// <summary>
    /// Decrypts a frame bound to <paramref name="threadId"/>/<paramref name="recordId"/> into
    /// <paramref name="destination"/> (at least <see cref="GetPlaintextLength"/> bytes).
    /// </summary>
    /// <returns>False, with nothing written, if the frame is malformed or does not authenticate.</returns>
    public static bool TryDecrypt(
        AesGcm aes,
        ReadOnlySpan<byte> frame,
        ReadOnlySpan<char> threadId,
        ReadOnlySpan<char> recordId,
        Span<byte> destination,
        out int bytesWritten)
    {
        ArgumentNullException.ThrowIfNull(aes);
        return TryOpen(new AesGcmSealer(aes), frame, threadId, recordId, destination, out bytesWritten);
    }

    /// <summary>Decrypts a frame bound to <paramref name="aad"/> into <paramref name="destination"/>.</summary>
    /// <exception cref="MalformedFrameException">The bytes are not a data frame.</exception>
    /// <exception cref="FrameAuthenticationException">The frame does not authenticate for this key and AAD.</exception>
    public static int Decrypt(AesGcm aes, ReadOnlySpan<byte> frame, RecordAad aad, Span<byte> destination)
    {
        Span<char> recordId = stackalloc char[RecordAad.StackRecordIdChars];
        return Decrypt(aes, frame, aad.ThreadId, aad.RecordIdChars(recordId), destination);
    }

    /// <inheritdoc cref="Decrypt(AesGcm, ReadOnlySpan{byte}, RecordAad, Span{byte})"/>
    public static int Decrypt(AesGcm aes, ReadOnlySpan<byte> frame, ReadOnlySpan<char> threadId, ReadOnlySpan<char> recordId, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(aes);
        return TryDecrypt(aes, frame, threadId, recordId, destination, out int written) ? written : throw OpenError(frame);
    }

    /// <summary>Encrypts with a caller-chosen nonce. Only for known-answer tests: nonces must never repeat under a key.</summary>
    internal static int EncryptWithNonceForTesting(
        AesGcm aes,
        uint dekVersion,
        ReadOnlySpan<char> threadId,
        ReadOnlySpan<char> recordId,
        ReadOnlySpan<byte> nonce,
        ReadOnlySpan<byte> plaintext,
        Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(aes);
        return Seal(new AesGcmSealer(aes), dekVersion, threadId, recordId, plaintext, destination, nonce);
    }

    /// <summary>Writes the AAD (layout in the type remarks); returns its length.</summary>
    internal static int WriteAad(uint dekVersion, ReadOnlySpan<char> threadId, ReadOnlySpan<char> recordId, Span<byte> destination)
    {
        int position = WriteAadPrefix(dekVersion, threadId, destination);
        position += AadWriter.WriteId(recordId, destination[position..], nameof(recordId));
        return position;
    }

    /// <summary>
    /// Writes the AAD up to the record id (format, DEK version, thread id): the part a batch of one
    /// thread's frames under one DEK version shares. Returns its length.
    /// </summary>
    internal static int WriteAadPrefix(uint dekVersion, ReadOnlySpan<char> threadId, Span<byte> destination)
    {
        destination[0] = FormatV1;
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(1, 4), dekVersion);
        return HeaderLength + AadWriter.WriteId(threadId, destination[HeaderLength..], nameof(threadId));
    }

    /// <summary>Upper bound of <see cref="WriteAadPrefix"/>'s length.</summary>
    internal static long MaxAadPrefixLength(ReadOnlySpan<char> threadId) => HeaderLength + AadWriter.MaxEncodedLength(threadId);

    /// <summary>
    /// Builds a frame with <paramref name="sealer"/>: header, nonce (fresh unless a test passes one),
    /// ciphertext and tag. Generic over a struct so each GCM implementation is called directly.
    /// </summary>
    [SkipLocalsInit] // the AAD buffer is written before it is read
    internal static int Seal<TSealer>(
        TSealer sealer,
        uint dekVersion,
        ReadOnlySpan<char> threadId,
        ReadOnlySpan<char> recordId,
        ReadOnlySpan<byte> plaintext,
        Span<byte> destination,
        ReadOnlySpan<byte> nonceForTesting = default)
        where TSealer : struct, IGcmSealer
    {
        int length = GetEncryptedLength(plaintext.Length);
        if (destination.Length < length)
        {
            throw new ArgumentException($"destination is {destination.Length} bytes; the frame needs {length}", nameof(destination));
        }

        if (plaintext.Overlaps(destination[..length]))
        {
            throw new ArgumentException("destination must not overlap the plaintext", nameof(destination));
        }

        AadWriter.CheckLength(threadId, nameof(threadId));
        AadWriter.CheckLength(recordId, nameof(recordId));
        Span<byte> nonce = destination.Slice(HeaderLength, NonceLength);
        if (nonceForTesting.IsEmpty)
        {
            NonceSource.Fill(nonce);
        }
        else
        {
            nonceForTesting[..NonceLength].CopyTo(nonce);
        }

        destination[0] = FormatV1;
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(1, 4), dekVersion);
        long maxAad = HeaderLength + AadWriter.MaxEncodedLength(threadId) + AadWriter.MaxEncodedLength(recordId);
        byte[]? rented = null;
        Span<byte> aadBuffer = maxAad <= AadWriter.StackLimit
            ? stackalloc byte[AadWriter.StackLimit]
            : (rented = ArrayPool<byte>.Shared.Rent((int)maxAad));
        try
        {
            int aadLength = WriteAad(dekVersion, threadId, recordId, aadBuffer);
            sealer.Seal(
                nonce,
                plaintext,
                destination.Slice(CiphertextOffset, plaintext.Length),
                destination.Slice(CiphertextOffset + plaintext.Length, TagLength),
                aadBuffer[..aadLength]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return length;
    }

    /// <summary>Opens a frame with <paramref name="sealer"/>; false, with nothing written, if it is malformed or does not authenticate.</summary>
    [SkipLocalsInit] // the AAD buffer is written before it is read
    internal static bool TryOpen<TSealer>(
        TSealer sealer,
        ReadOnlySpan<byte> frame,
        ReadOnlySpan<char> threadId,
        ReadOnlySpan<char> recordId,
        Span<byte> destination,
        out int bytesWritten)
        where TSealer : struct, IGcmSealer
    {
        bytesWritten = 0;
        if (!TryReadDekVersion(frame, out uint dekVersion))
        {
            return false;
        }

        AadWriter.CheckLength(threadId, nameof(threadId));
        AadWriter.CheckLength(recordId, nameof(recordId));
        long maxAad = HeaderLength + AadWriter.MaxEncodedLength(threadId) + AadWriter.MaxEncodedLength(recordId);
        byte[]? rented = null;
        Span<byte> aadBuffer = maxAad <= AadWriter.StackLimit
            ? stackalloc byte[AadWriter.StackLimit]
            : (rented = ArrayPool<byte>.Shared.Rent((int)maxAad));
        try
        {
            int aadLength = WriteAad(dekVersion, threadId, recordId, aadBuffer);
            return TryOpenWithAad(sealer, frame, aadBuffer[..aadLength], destination, out bytesWritten);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Opens a frame against an AAD the caller built (<see cref="WriteAad"/>'s bytes for the frame's
    /// own DEK version): a batch builds the part its frames share once. False, with nothing written,
    /// if the frame is malformed or does not authenticate.
    /// </summary>
    internal static bool TryOpenWithAad<TSealer>(
        TSealer sealer,
        ReadOnlySpan<byte> frame,
        ReadOnlySpan<byte> aad,
        Span<byte> destination,
        out int bytesWritten)
        where TSealer : struct, IGcmSealer
    {
        bytesWritten = 0;
        if (!TryReadDekVersion(frame, out _))
        {
            return false;
        }

        int plaintextLength = frame.Length - Overhead;
        if (destination.Length < plaintextLength)
        {
            throw new ArgumentException(
                $"destination is {destination.Length} bytes; the plaintext needs {plaintextLength}", nameof(destination));
        }

        Span<byte> plaintext = destination[..plaintextLength];
        if (plaintext.Overlaps(frame))
        {
            throw new ArgumentException("destination must not overlap the frame", nameof(destination));
        }

        if (!sealer.TryOpen(
            frame.Slice(HeaderLength, NonceLength),
            frame.Slice(CiphertextOffset, plaintextLength),
            frame.Slice(CiphertextOffset + plaintextLength, TagLength),
            plaintext,
            aad))
        {
            // The sealer has already cleared the plaintext span; the caller sees nothing.
            return false;
        }

        bytesWritten = plaintextLength;
        return true;
    }

    private static void ThrowIfMalformed(ReadOnlySpan<byte> frame)
    {
        if (!TryReadDekVersion(frame, out _))
        {
            throw MalformedError(frame);
        }
    }

    /// <summary>Why a frame did not open: it is not a data frame, or it did not authenticate.</summary>
    internal static CryptoException OpenError(ReadOnlySpan<byte> frame) =>
        TryReadDekVersion(frame, out _)
            ? new FrameAuthenticationException(
                "ciphertext frame failed authentication (tampered, copied from another record, or encrypted under another key)")
            : MalformedError(frame);

    /// <summary>The error describing why <paramref name="frame"/> is not a data frame.</summary>
    internal static MalformedFrameException MalformedError(ReadOnlySpan<byte> frame) =>
        frame.Length < Overhead
            ? new MalformedFrameException($"ciphertext frame is {frame.Length} bytes; a data frame is at least {Overhead} bytes")
            : new MalformedFrameException($"ciphertext frame has unknown format byte 0x{frame[0]:x2} (expected 0x{FormatV1:x2})");
}
