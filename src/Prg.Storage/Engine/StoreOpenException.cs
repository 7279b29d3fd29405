// Why a data directory cannot be opened, in one line naming the file (and offset) at fault, for the
// operator: `prg serve` prints it and exits 1.
namespace Prg.Storage.Engine;

/// <summary>The store refuses to open; <see cref="Exception.Message"/> is one line.</summary>
public sealed class StoreOpenException(string message, Exception? inner = null)
    : IOException(message.ReplaceLineEndings(" "), inner);
