// The wrapped-DEK frame of spec/kms.md §2: a thread DEK encrypted under a master KEK, bound to its
// key id and KEK version, and self-describing (it carries the KEK version that wrapped it).
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Prg.Crypto;

/// <summary>
/// Wrapped DEK: <c>format(1)=0x02 | kek_version(4, big-endian) | nonce(12) | ciphertext(32) | tag(16)</c>
/// = 65 bytes, AES-256-GCM under the master KEK.
/// </summary>
/// <remarks>
/// AAD layout (exact bytes): <c>"prg-dek"</c> (7 ASCII bytes) | uint16 big-endian byte count of
/// key_id | key_id as strict UTF-8 | kek_version uint32 big-endian. A wrapped DEK copied to another
/// key id, or relabelled with another KEK version, fails to unwrap.
/// </remarks>
public static class WrappedDekFrame
{
    public const byte FormatV1 = 0x02;

    public const int HeaderLength = 5;

    public const int NonceLength = 12;

    public const int TagLength = 16;

    /// <summary>Total frame length (65 bytes).</summary>
    public const int Length = HeaderLength + NonceLength + MasterKey.KeyLength + TagLength;

    private const int CiphertextOffset = HeaderLength + NonceLength;

    private static ReadOnlySpan<byte> AadLabel => "prg-dek"u8;

    /// <summary>Reads the KEK version recorded in a wrapped DEK frame.</summary>
    public static bool TryReadKekVersion(ReadOnlySpan<byte> frame, out uint kekVersion)
    {
        if (frame.Length != Length || frame[0] != FormatV1)
        {
            kekVersion = 0;
            return false;
        }

        kekVersion = BinaryPrimitives.ReadUInt32BigEndian(frame.Slice(1, 4));
        return true;
    }

    /// <exception cref="MalformedFrameException">The bytes are not a wrapped DEK frame.</exception>
    public static uint ReadKekVersion(ReadOnlySpan<byte> frame)
    {
        if (!TryReadKekVersion(frame, out uint kekVersion))
        {
            throw Malformed(frame);
        }

        return kekVersion;
    }

    /// <summary>Wraps a 32-byte DEK under <paramref name="kek"/> into <paramref name="destination"/> (65 bytes).</summary>
    public static void Wrap(MasterKey kek, uint kekVersion, string keyId, ReadOnlySpan<byte> dek, Span<byte> destination)
    {
        CheckWrapArguments(kek, dek, destination);
        RandomNumberGenerator.Fill(destination.Slice(HeaderLength, NonceLength));
        WrapCore(kek, kekVersion, keyId, dek, destination);
    }

    /// <summary>Unwraps a DEK into <paramref name="dek"/> (32 bytes).</summary>
    /// <returns>False, with <paramref name="dek"/> cleared, if the frame is malformed or does not authenticate.</returns>
    public static bool TryUnwrap(MasterKey kek, string keyId, ReadOnlySpan<byte> frame, Span<byte> dek)
    {
        ArgumentNullException.ThrowIfNull(kek);
        if (dek.Length != MasterKey.KeyLength)
        {
            throw new ArgumentException($"the DEK buffer must be {MasterKey.KeyLength} bytes", nameof(dek));
        }

        if (!TryReadKekVersion(frame, out uint kekVersion))
        {
            dek.Clear();
            return false;
        }

        Span<byte> aad = stackalloc byte[AadLength(keyId)];
        aad = aad[..WriteAad(keyId, kekVersion, aad)];
        try
        {
            using var aes = new AesGcm(kek.KeyBytes, TagLength);
            aes.Decrypt(
                frame.Slice(HeaderLength, NonceLength),
                frame.Slice(CiphertextOffset, MasterKey.KeyLength),
                frame.Slice(CiphertextOffset + MasterKey.KeyLength, TagLength),
                dek,
                aad);
            return true;
        }
        catch (CryptographicException)
        {
            dek.Clear();
            return false;
        }
    }

    /// <exception cref="MalformedFrameException">The bytes are not a wrapped DEK frame.</exception>
    /// <exception cref="FrameAuthenticationException">The frame does not authenticate under this KEK and key id.</exception>
    public static void Unwrap(MasterKey kek, string keyId, ReadOnlySpan<byte> frame, Span<byte> dek)
    {
        if (!TryReadKekVersion(frame, out _))
        {
            throw Malformed(frame);
        }

        if (!TryUnwrap(kek, keyId, frame, dek))
        {
            throw new FrameAuthenticationException(
                $"wrapped DEK of key {keyId} failed authentication under KEK {kek.KekId} (tampered, moved from another key id, or wrapped under another KEK)");
        }
    }

    /// <summary>Wraps with a caller-chosen nonce. Only for known-answer tests.</summary>
    internal static void WrapWithNonceForTesting(MasterKey kek, uint kekVersion, string keyId, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> dek, Span<byte> destination)
    {
        CheckWrapArguments(kek, dek, destination);
        nonce[..NonceLength].CopyTo(destination.Slice(HeaderLength, NonceLength));
        WrapCore(kek, kekVersion, keyId, dek, destination);
    }

    internal static int AadLength(string keyId)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);

        // Key ids are short; bounding them keeps the AAD on the stack.
        if (keyId.Length > 1024)
        {
            throw new ArgumentException($"key id is {keyId.Length} characters; at most 1024 are allowed", nameof(keyId));
        }

        return AadLabel.Length + (int)AadWriter.MaxEncodedLength(keyId) + 4;
    }

    /// <summary>Writes the AAD (layout in the type remarks); returns its length.</summary>
    internal static int WriteAad(string keyId, uint kekVersion, Span<byte> destination)
    {
        AadLabel.CopyTo(destination);
        int position = AadLabel.Length;
        position += AadWriter.WriteId(keyId, destination[position..], nameof(keyId));
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(position, 4), kekVersion);
        return position + 4;
    }

    private static void CheckWrapArguments(MasterKey kek, ReadOnlySpan<byte> dek, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(kek);
        if (dek.Length != MasterKey.KeyLength)
        {
            throw new ArgumentException($"a DEK must be {MasterKey.KeyLength} bytes", nameof(dek));
        }

        if (destination.Length < Length)
        {
            throw new ArgumentException($"destination must hold {Length} bytes", nameof(destination));
        }
    }

    // Expects the nonce already in place in the destination.
    private static void WrapCore(MasterKey kek, uint kekVersion, string keyId, ReadOnlySpan<byte> dek, Span<byte> destination)
    {
        Span<byte> aad = stackalloc byte[AadLength(keyId)];
        int aadLength = WriteAad(keyId, kekVersion, aad);
        destination[0] = FormatV1;
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(1, 4), kekVersion);
        using var aes = new AesGcm(kek.KeyBytes, TagLength);
        aes.Encrypt(
            destination.Slice(HeaderLength, NonceLength),
            dek,
            destination.Slice(CiphertextOffset, MasterKey.KeyLength),
            destination.Slice(CiphertextOffset + MasterKey.KeyLength, TagLength),
            aad[..aadLength]);
    }

    private static MalformedFrameException Malformed(ReadOnlySpan<byte> frame) =>
        frame.Length != Length
            ? new MalformedFrameException($"wrapped DEK is {frame.Length} bytes; a wrapped DEK frame is exactly {Length} bytes")
            : new MalformedFrameException($"wrapped DEK has unknown format byte 0x{frame[0]:x2} (expected 0x{FormatV1:x2})");
}
