// FASTER's checkpoint files (index, metadata, snapshots) as paced devices, so a checkpoint's writes
// queue behind the same one-chunk-in-flight writer as the hybrid log's page flushes.
using FASTER.core;

namespace Prg.Storage.Engine.Io;

/// <summary>Checkpoint files (index, metadata, snapshots) as paced devices over FASTER's local files.</summary>
internal sealed class PacedDeviceFactory(PacedWriter writer) : INamedDeviceFactory
{
    private readonly LocalStorageNamedDeviceFactory _inner = new();

    public void Initialize(string baseName) => _inner.Initialize(baseName);

    public IDevice Get(FileDescriptor fileInfo) => new PacedDevice(_inner.Get(fileInfo), writer, smallWritesFirst: true);

    public void Delete(FileDescriptor fileInfo) => _inner.Delete(fileInfo);

    public IEnumerable<FileDescriptor> ListContents(string path) => _inner.ListContents(path);
}
