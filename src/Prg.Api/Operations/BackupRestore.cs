// Restores a backup archive into an empty data directory, verifying as it goes: every entry's SHA-256
// against the manifest, the manifest against its own checksum, no file missing, none extra, no path
// outside store/. Anything wrong (a flipped byte, a truncated archive) refuses with one line and leaves
// the directory as it was (empty, or absent). Memory is one copy buffer; files are fsynced.
using System.Formats.Tar;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Prg.Storage.Engine;

namespace Prg.Api.Operations;

public static class BackupRestore
{
    private const int CopyBytes = 1 << 20;
    private const int MaxManifestBytes = 64 << 20;
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Restores <paramref name="archive"/> into <paramref name="dataDir"/> (absent or empty).</summary>
    /// <exception cref="InvalidDataException">The archive is damaged, truncated or not a prg backup (one line).</exception>
    /// <exception cref="IOException">The directory is not empty, or writing failed.</exception>
    public static BackupManifest Restore(Stream archive, string dataDir)
    {
        string root = Path.GetFullPath(dataDir);
        bool created = !Directory.Exists(root);
        if (!created && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new IOException($"{root} is not empty; restore only into an empty or new directory");
        }

        Directory.CreateDirectory(root, DirectoryMode);
        try
        {
            BackupManifest manifest = Extract(archive, root);
            return manifest;
        }
        catch
        {
            RemoveContents(root, created);
            throw;
        }
    }

    private static BackupManifest Extract(Stream archive, string root)
    {
        var found = new Dictionary<string, (long Size, string Sha)>(StringComparer.Ordinal);
        byte[]? manifestJson = null;
        string? manifestSha = null;
        string? expectedManifestSha = null;
        var buffer = new byte[CopyBytes];
        using var reader = new TarReader(archive);
        while (true)
        {
            TarEntry? entry;
            try
            {
                entry = reader.GetNextEntry();
            }
            catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException or ArgumentException)
            {
                throw new InvalidDataException($"the archive is damaged or truncated ({e.Message})", e);
            }
            if (entry is null)
            {
                break;
            }

            if (expectedManifestSha is not null)
            {
                throw new InvalidDataException($"the archive has an entry after its manifest checksum: {entry.Name}");
            }

            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
            {
                throw new InvalidDataException($"the archive holds {entry.Name}, which is not a regular file");
            }

            Stream data = entry.DataStream ?? Stream.Null;
            if (entry.Name == BackupManifest.FileName)
            {
                if (entry.Length > MaxManifestBytes)
                {
                    throw new InvalidDataException("the archive's manifest is implausibly large");
                }

                manifestJson = ReadAll(data, entry.Length, entry.Name);
                manifestSha = Convert.ToHexStringLower(SHA256.HashData(manifestJson));
            }
            else if (entry.Name == BackupManifest.ChecksumFileName)
            {
                expectedManifestSha = System.Text.Encoding.ASCII.GetString(ReadAll(data, Math.Min(entry.Length, 256), entry.Name)).Trim();
            }
            else
            {
                string target = SafeTarget(root, entry.Name);
                if (!found.TryAdd(entry.Name, (entry.Length, WriteFile(data, entry.Length, target, entry.Name, buffer))))
                {
                    throw new InvalidDataException($"the archive holds {entry.Name} twice");
                }
            }
        }
        if (manifestJson is null || expectedManifestSha is null)
        {
            throw new InvalidDataException("the archive is truncated: its manifest or the manifest's checksum is missing");
        }

        if (manifestSha != expectedManifestSha)
        {
            throw new InvalidDataException("the archive's manifest fails its checksum (damaged)");
        }

        BackupManifest manifest = BackupManifest.Parse(manifestJson);
        foreach (BackupFile file in manifest.Files)
        {
            if (!found.Remove(file.Path, out var actual))
            {
                throw new InvalidDataException($"the archive is missing {file.Path}");
            }

            if (actual.Size != file.Size || actual.Sha != file.Sha256)
            {
                throw new InvalidDataException($"{file.Path} fails its checksum (damaged)");
            }

            if (file.PadTo > file.Size)
            {
                Pad(SafeTarget(root, file.Path), file.PadTo);
            }
        }
        if (found.Count > 0)
        {
            throw new InvalidDataException($"the archive holds {found.Keys.First()}, which its manifest does not list");
        }

        SyncDirectories(root);
        return manifest;
    }

    // Data files live under store/; nothing may escape the target directory.
    private static string SafeTarget(string root, string name)
    {
        string full = Path.GetFullPath(Path.Combine(root, name));
        if (!name.StartsWith("store/", StringComparison.Ordinal) || !full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"the archive holds {name}, outside the store directory");
        }

        return full;
    }

    private static string WriteFile(Stream data, long length, string target, string name, byte[] buffer)
    {
        CreateParents(Path.GetDirectoryName(target)!);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (SafeFileHandle handle = File.OpenHandle(target, System.IO.FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize: 0))
        {
            File.SetUnixFileMode(handle, FileMode);
            long offset = 0;
            while (offset < length)
            {
                int n = ReadSome(data, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - offset)), name);
                hash.AppendData(buffer, 0, n);
                RandomAccess.Write(handle, buffer.AsSpan(0, n), offset);
                offset += n;
            }
            DurableFiles.Sync(handle, target);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Pad(string path, long length)
    {
        using SafeFileHandle handle = File.OpenHandle(path, System.IO.FileMode.Open, FileAccess.Write);
        RandomAccess.SetLength(handle, length); // the extension reads as zeros: the WAL's end
        DurableFiles.Sync(handle, path);
    }

    private static byte[] ReadAll(Stream data, long length, string name)
    {
        var bytes = new byte[length];
        int read = 0;
        while (read < bytes.Length)
        {
            read += ReadSome(data, bytes.AsSpan(read), name);
        }

        return bytes;
    }

    private static int ReadSome(Stream data, Span<byte> into, string name)
    {
        int n;
        try
        {
            n = data.Read(into);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"the archive is truncated inside {name}", e);
        }
        if (n == 0)
        {
            throw new InvalidDataException($"the archive is truncated inside {name}");
        }

        return n;
    }

    private static void CreateParents(string directory)
    {
        if (!Directory.Exists(directory))
        {
            CreateParents(Path.GetDirectoryName(directory)!);
            Directory.CreateDirectory(directory, DirectoryMode);
        }
    }

    private static void SyncDirectories(string root)
    {
        foreach (string directory in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Append(root))
        {
            DurableFiles.SyncDirectory(directory);
        }
    }

    private static void RemoveContents(string root, bool created)
    {
        if (created)
        {
            Directory.Delete(root, recursive: true);
            return;
        }
        foreach (string entry in Directory.EnumerateFileSystemEntries(root))
        {
            if (Directory.Exists(entry))
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }
    }
}
