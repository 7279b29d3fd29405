// The master key-encryption key (KEK): loading it from a 0600 file or from hex, its public
// identifier (kek_id), and keeping the raw bytes pinned and zeroed when the key is dropped.
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

    private const UnixFileMode GroupOrOtherAccess =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly byte[] _key;
    private int _disposed;

    private MasterKey(byte[] pinnedKey)
    {
        _key = pinnedKey;
        KekId = ComputeKekId(pinnedKey);
    }

    /// <summary>The public identifier of this key (16 hex characters); safe to log and store.</summary>
    public string KekId { get; }

    /// <summary>The raw key. Only the Crypto layer reads it, and only while the key is alive.</summary>
    internal ReadOnlySpan<byte> KeyBytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _key;
        }
    }

    /// <summary>Exposes the pinned buffer so tests can observe that Dispose zeroes it.</summary>
    internal byte[] KeyBufferForTesting => _key;

    /// <summary>Creates a fresh random key (ephemeral development keys, tests).</summary>
    public static MasterKey Generate()
    {
        byte[] key = GC.AllocateArray<byte>(KeyLength, pinned: true);
        RandomNumberGenerator.Fill(key);
        return new MasterKey(key);
    }

    /// <summary>Creates a key from raw bytes, which must be exactly 32 bytes. The bytes are copied.</summary>
    public static MasterKey FromBytes(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"a master key must be exactly {KeyLength} bytes; got {key.Length}", nameof(key));
        }

        byte[] copy = GC.AllocateArray<byte>(KeyLength, pinned: true);
        key.CopyTo(copy);
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
        byte[] key = GC.AllocateArray<byte>(KeyLength, pinned: true);
        KeyHex.DecodeStatus status = KeyHex.TryDecode(hex, key, out int detail);
        if (status != KeyHex.DecodeStatus.Ok)
        {
            CryptographicOperations.ZeroMemory(key);
            throw DecodeError(source, status, detail);
        }

        RefusePlaceholder(key, source);
        return new MasterKey(key);
    }

    /// <summary>
    /// Loads a key file: 64 hex characters with optional surrounding whitespace (a trailing newline
    /// is normal). The file must exist, be a regular file, and give group and others no access at
    /// all (mode 0600 or 0400).
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
            // Checked on the open handle, not the path, so the file judged is the file read.
            UnixFileMode mode = File.GetUnixFileMode(handle);
            if ((mode & GroupOrOtherAccess) != 0)
            {
                throw new MasterKeyException(
                    $"{source} has mode {FormatMode(mode)} but must not be accessible by group or others (run: chmod 600 '{path}')");
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

            byte[] text = GC.AllocateArray<byte>((int)length, pinned: true);
            try
            {
                int total = 0;
                int read;
                while (total < text.Length && (read = RandomAccess.Read(handle, text.AsSpan(total), total)) > 0)
                {
                    total += read;
                }

                byte[] key = GC.AllocateArray<byte>(KeyLength, pinned: true);
                KeyHex.DecodeStatus status = KeyHex.TryDecode(text.AsSpan(0, total), key, out int detail);
                if (status != KeyHex.DecodeStatus.Ok)
                {
                    CryptographicOperations.ZeroMemory(key);
                    throw DecodeError(source, status, detail);
                }

                RefusePlaceholder(key, source);
                return new MasterKey(key);
            }
            catch (IOException e)
            {
                throw new MasterKeyException($"{source} cannot be read: {e.Message}", e);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(text);
            }
        }
    }

    /// <summary>Zeroes the key bytes. Further use throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            CryptographicOperations.ZeroMemory(_key);
        }
    }

    internal static string FormatMode(UnixFileMode mode) =>
        "0" + Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');

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
    private static void RefusePlaceholder(byte[] key, string source)
    {
        if (!key.AsSpan(1).ContainsAnyExcept(key[0]))
        {
            CryptographicOperations.ZeroMemory(key);
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
