// When a write is acknowledged relative to the disk (config `server.durability`, a prg addition).
namespace Prg.Api.Config;

public enum DurabilityMode
{
    /// <summary>Acknowledge only after the write-ahead log record is fsync'ed (group commit). The default.</summary>
    Fsync,

    /// <summary>Acknowledge once the record is in the OS page cache; a power loss can drop recent writes.</summary>
    Relaxed,
}
