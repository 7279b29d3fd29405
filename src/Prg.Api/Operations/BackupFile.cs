// One data file of a backup archive: its path in the data directory, size, restored length and SHA-256.
namespace Prg.Api.Operations;

/// <param name="PadTo">Length of the restored file (zero-extended; 0 = Size).</param>
public sealed record BackupFile(string Path, long Size, long PadTo, string Sha256);
