// A single encrypt or decrypt waiting in a CallCoalescer queue for the next batch request.
using System.Diagnostics;

namespace Prg.Crypto;

internal sealed class PendingCall(string keyId, ReadOnlyMemory<byte> input, RecordAad aad)
{
    public string KeyId { get; } = keyId;

    /// <summary>Plaintext (encrypt) or frame (decrypt).</summary>
    public ReadOnlyMemory<byte> Input { get; } = input;

    public RecordAad Aad { get; } = aad;

    public long EnqueuedTimestamp { get; } = Stopwatch.GetTimestamp();

    public TaskCompletionSource<byte[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
