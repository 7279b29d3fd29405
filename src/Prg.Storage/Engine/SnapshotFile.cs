// One file of a StoreSnapshot: copy its first Length bytes; on restore, zero-extend it to PadTo.
namespace Prg.Storage.Engine;

/// <param name="Path">Relative to the store directory, '/'-separated.</param>
/// <param name="Length">Bytes to copy (the rest of the file is not part of the snapshot).</param>
/// <param name="PadTo">The length the restored file must have (0: Length).</param>
public sealed record SnapshotFile(string Path, long Length, long PadTo);
