// Writes new master key files (`prg keygen`, first-run embedded keys) with mode 0600 from the
// moment the file exists, and never over an existing file.
using System.Security.Cryptography;

namespace Prg.Crypto;

/// <summary>Creates master key files.</summary>
public static class KeyFile
{
    /// <summary>
    /// Writes a fresh random 32-byte key as 64 lowercase hex characters and a newline to a new file
    /// created with mode 0600 (the process umask can only make it stricter), flushed to disk.
    /// </summary>
    /// <returns>The new key's <c>kek_id</c> (safe to print).</returns>
    /// <exception cref="MasterKeyException">The file already exists or cannot be created.</exception>
    public static string WriteNew(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("master key files are protected with Unix permissions; prg runs on Linux");
        }

        byte[] key = GC.AllocateArray<byte>(MasterKey.KeyLength, pinned: true);
        byte[] text = GC.AllocateArray<byte>(MasterKey.HexLength + 1, pinned: true);
        try
        {
            RandomNumberGenerator.Fill(key);
            KeyHex.EncodeLower(key, text);
            text[MasterKey.HexLength] = (byte)'\n';

            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,

                // Unbuffered, so no copy of the key text is left in a FileStream buffer.
                BufferSize = 0,
            };

            FileStream stream;
            try
            {
                stream = new FileStream(path, options);
            }
            catch (DirectoryNotFoundException)
            {
                throw new MasterKeyException($"cannot create master key file '{path}': its directory does not exist");
            }
            catch (UnauthorizedAccessException)
            {
                throw new MasterKeyException($"cannot create master key file '{path}': permission denied");
            }
            catch (IOException) when (File.Exists(path) || Directory.Exists(path))
            {
                throw new MasterKeyException($"master key file '{path}' already exists; refusing to overwrite it");
            }
            catch (IOException e)
            {
                throw new MasterKeyException($"cannot create master key file '{path}': {e.Message}", e);
            }

            try
            {
                using (stream)
                {
                    stream.Write(text);
                    stream.Flush(flushToDisk: true);
                }
            }
            catch (IOException e)
            {
                // Never leave a truncated key file behind for the next start to trip over.
                File.Delete(path);
                throw new MasterKeyException($"cannot write master key file '{path}': {e.Message}", e);
            }

            using MasterKey written = MasterKey.FromBytes(key);
            return written.KekId;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(text);
        }
    }
}
