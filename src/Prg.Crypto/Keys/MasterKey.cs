// The master key-encryption key (KEK): loading it from a 0600 file, a systemd credential, an
// inherited file descriptor or hex, its public identifier (kek_id), and keeping the raw bytes in
// locked native memory (LockedBuffer) that is zeroed when the key is dropped.
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Prg.Crypto;

/// <summary>
/// A 32-byte AES-256 master key (KEK). The raw bytes never leave the Crypto layer; other layers
/// see only <see cref="KekId"/>. Dispose zeroes the bytes.
/// </summary>
/// <remarks>
/// <c>kek_id</c> = the first 16 lowercase hex characters (8 bytes) of
/// <c>HMAC-SHA256(key, "prg-kek-id")</c> (ASCII label). It identifies a key across restarts and
/// rotations without revealing anything usable about it.
/// </remarks>
public sealed class MasterKey : IDisposable
{
    /// <summary>Key length in bytes (AES-256).</summary>
    public const int KeyLength = 32;

    /// <summary>Key length as hex text.</summary>
    public const int HexLength = KeyLength * 2;

    // A key file is 64 hex characters plus a little whitespace; anything far larger is not a key
    // file and is refused before being read into memory.
    private const int MaxFileLength = 4096;

    private readonly LockedBuffer _key;
    private int _disposed;

    private MasterKey(LockedBuffer key)
    {
        _key = key;
        KekId = ComputeKekId(key.Span);
    }

    /// <summary>The public identifier of this key (16 hex characters); safe to log and store.</summary>
    public string KekId { get; }

    /// <summary>The raw key. Only the Crypto layer reads it, and only while the key is alive.</summary>
    internal ReadOnlySpan<byte> KeyBytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _key.Span;
        }
    }

    /// <summary>Exposes the locked buffer so tests can observe that Dispose zeroes it.</summary>
    internal LockedBuffer KeyBufferForTesting => _key;

    /// <summary>Creates a fresh random key (ephemeral development keys, tests).</summary>
    public static MasterKey Generate()
    {
        LockedBuffer key = LockedMemory.Allocate(KeyLength);
        RandomNumberGenerator.Fill(key.Span);
        return new MasterKey(key);
    }

    /// <summary>Creates a key from raw bytes, which must be exactly 32 bytes. The bytes are copied.</summary>
    public static MasterKey FromBytes(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"a master key must be exactly {KeyLength} bytes; got {key.Length}", nameof(key));
        }

        LockedBuffer copy = LockedMemory.Allocate(KeyLength);
        key.CopyTo(copy.Span);
        return new MasterKey(copy);
    }

    /// <summary>
    /// Parses a key given as 64 hex characters (either case, surrounding whitespace ignored), e.g.
    /// <c>encryption.kms.master_key_hex</c>. <paramref name="source"/> names where the value came
    /// from in error messages (the value itself is never quoted).
    /// </summary>
    /// <exception cref="MasterKeyException">The text is empty, not 64 hex characters, or not hex.</exception>
    public static MasterKey FromHex(ReadOnlySpan<char> hex, string source = "master key hex")
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        LockedBuffer key = LockedMemory.Allocate(KeyLength);
        KeyHex.DecodeStatus status = KeyHex.TryDecode(hex, key.Span, out int detail);
        if (status != KeyHex.DecodeStatus.Ok)
        {
            key.Dispose();
            throw DecodeError(source, status, detail);
        }

        RefusePlaceholder(key, source);
        return new MasterKey(key);
    }

    /// <summary>
    /// Loads a key file: 64 hex characters with optional surrounding whitespace (a trailing newline
    /// is normal). The file must exist, be a regular file, and give group and others no access at
    /// all (mode 0600 or 0400), and be owned by the user prg runs as.
    /// </summary>
    /// <exception cref="MasterKeyException">
    /// The file is missing, a directory, unreadable, accessible by group/others, empty, of the wrong
    /// length, or not hex. Each case has its own one-line message naming the path.
    /// </exception>
    public static MasterKey FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("master key files are checked with Unix permissions; prg runs on Linux");
        }

        string source = $"master key file '{path}'";
        if (Directory.Exists(path))
        {
            throw new MasterKeyException($"{source} is a directory, not a key file");
        }

        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new MasterKeyException($"{source} does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            throw new MasterKeyException($"{source} cannot be read by this process (permission denied)");
        }
        catch (IOException e)
        {
            throw new MasterKeyException($"{source} cannot be opened: {e.Message}", e);
        }

        using (handle)
        {
            if (PrivateFile.Problem(handle, path, source) is { } problem)
            {
                throw new MasterKeyException(problem);
            }

            long length;
            try
            {
                length = RandomAccess.GetLength(handle);
            }
            catch (NotSupportedException)
            {
                throw new MasterKeyException($"{source} is not a regular file");
            }

            if (length > MaxFileLength)
            {
                throw new MasterKeyException(
                    $"{source} is {length} bytes; it must contain exactly {HexLength} hex characters (a {KeyLength}-byte key)");
            }

            return ReadKeyText(handle, source);
        }
    }

    /// <summary>
    /// Loads a systemd credential (<c>LoadCredential=</c> / <c>LoadCredentialEncrypted=</c>):
    /// <c>$CREDENTIALS_DIRECTORY/name</c>, which systemd creates 0400 and owned by the service user.
    /// </summary>
    /// <exception cref="MasterKeyException">No credentials directory, a bad name, or the file is refused as by <see cref="FromFile"/>.</exception>
    public static MasterKey FromCredential(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/') || name is "." or "..")
        {
            throw new MasterKeyException($"master key credential name '{name}' must be a plain file name");
        }

        string? directory = Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY");
        if (string.IsNullOrEmpty(directory))
        {
            throw new MasterKeyException(
                $"master key credential '{name}' cannot be read: CREDENTIALS_DIRECTORY is not set (run under systemd with LoadCredentialEncrypted={name}:... or LoadCredential={name}:...)");
        }

        return FromFile(Path.Combine(directory, name));
    }

    /// <summary>
    /// Reads a key handed over on an inherited file descriptor (a pipe, or 0 for standard input):
    /// 64 hex characters and optional whitespace up to end of file. The descriptor is closed after.
    /// </summary>
    /// <exception cref="MasterKeyException">The descriptor cannot be read or does not hold a key.</exception>
    public static MasterKey FromFileDescriptor(int fd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        string source = $"master key on file descriptor {fd}";
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (handle.IsInvalid)
        {
            throw new MasterKeyException($"{source} is not open");
        }

        return ReadKeyText(handle, source);
    }

    private static MasterKey ReadKeyText(SafeFileHandle handle, string source)
    {
        // Read to end of file, one byte past the limit, so an oversized input is seen as such.
        byte[] text = GC.AllocateArray<byte>(MaxFileLength + 1, pinned: true);
        try
        {
            // A FileStream (unbuffered: no copy of the key text left in its buffer) reads pipes too.
            using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
            int total = 0;
            int read;
            while (total < text.Length && (read = stream.Read(text.AsSpan(total))) > 0)
            {
                total += read;
            }

            if (total > MaxFileLength)
            {
                throw new MasterKeyException(
                    $"{source} is over {MaxFileLength} bytes; it must contain exactly {HexLength} hex characters (a {KeyLength}-byte key)");
            }

            LockedBuffer key = LockedMemory.Allocate(KeyLength);
            KeyHex.DecodeStatus status = KeyHex.TryDecode(text.AsSpan(0, total), key.Span, out int detail);
            if (status != KeyHex.DecodeStatus.Ok)
            {
                key.Dispose();
                throw DecodeError(source, status, detail);
            }

            RefusePlaceholder(key, source);
            return new MasterKey(key);
        }
        catch (IOException e)
        {
            throw new MasterKeyException($"{source} cannot be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new MasterKeyException($"{source} cannot be read: {e.Message}", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(text);
        }
    }

    /// <summary>Zeroes the key bytes. Further use throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _key.Dispose();
        }
    }

    private static MasterKeyException DecodeError(string source, KeyHex.DecodeStatus status, int detail) => status switch
    {
        KeyHex.DecodeStatus.Empty => new MasterKeyException(
            $"{source} is empty; it must contain exactly {HexLength} hex characters (a {KeyLength}-byte key)"),
        KeyHex.DecodeStatus.WrongLength => new MasterKeyException(
            $"{source} has {detail} characters; it must contain exactly {HexLength} hex characters (a {KeyLength}-byte key)"),
        _ => new MasterKeyException(
            $"{source} has a character that is not a hex digit at position {detail}; it must contain exactly {HexLength} hex characters"),
    };

    // One byte repeated (the reference example config ships 64 zeros) is a placeholder left in place,
    // not a secret: refuse it rather than encrypt under a key anyone can guess.
    private static void RefusePlaceholder(LockedBuffer key, string source)
    {
        ReadOnlySpan<byte> bytes = key.Span;
        if (!bytes[1..].ContainsAnyExcept(bytes[0]))
        {
            key.Dispose();
            throw new MasterKeyException($"{source} is a placeholder (one byte repeated), not a key; make a real one with `prg keygen --out FILE`");
        }
    }

    private static string ComputeKekId(ReadOnlySpan<byte> key)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, "prg-kek-id"u8, mac);
        return Convert.ToHexStringLower(mac[..8]);
    }
}
