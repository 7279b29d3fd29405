// Wraps the key provider to count calls and failed calls per operation for /metrics ("KMS calls"),
// whichever provider (embedded or external) is underneath.
using Prg.Crypto;

namespace Prg.Api.Encryption;

public sealed class CountingKeyProvider(IKeyProvider inner) : IKeyProvider
{
    private static readonly int s_operations = Enum.GetValues<KmsOperation>().Length;
    private readonly long[] _calls = new long[s_operations];
    private readonly long[] _failures = new long[s_operations];

    public IKeyProvider Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    public long Calls(KmsOperation operation) => Interlocked.Read(ref _calls[(int)operation]);

    /// <summary>Calls that threw (a batch call whose items failed one by one still counts as a success).</summary>
    public long Failures(KmsOperation operation) => Interlocked.Read(ref _failures[(int)operation]);

    public ValueTask<DekInfo> CreateDekForThreadAsync(string threadId, CancellationToken cancellationToken = default) =>
        Count(KmsOperation.CreateDek, Inner.CreateDekForThreadAsync(threadId, cancellationToken));

    public ValueTask<byte[]> EncryptAsync(string keyId, ReadOnlyMemory<byte> plaintext, RecordAad aad, CancellationToken cancellationToken = default) =>
        Count(KmsOperation.Encrypt, Inner.EncryptAsync(keyId, plaintext, aad, cancellationToken));

    public ValueTask<byte[]> DecryptAsync(string keyId, ReadOnlyMemory<byte> frame, RecordAad aad, CancellationToken cancellationToken = default) =>
        Count(KmsOperation.Decrypt, Inner.DecryptAsync(keyId, frame, aad, cancellationToken));

    public ValueTask<byte[][]> EncryptBatchAsync(
        string keyId, IReadOnlyList<(ReadOnlyMemory<byte> Plaintext, RecordAad Aad)> items, CancellationToken cancellationToken = default) =>
        Count(KmsOperation.EncryptBatch, Inner.EncryptBatchAsync(keyId, items, cancellationToken));

    public ValueTask<DecryptResult[]> DecryptBatchAsync(
        string keyId, IReadOnlyList<(ReadOnlyMemory<byte> Frame, RecordAad Aad)> items, CancellationToken cancellationToken = default) =>
        Count(KmsOperation.DecryptBatch, Inner.DecryptBatchAsync(keyId, items, cancellationToken));

    public ValueTask<DecryptedBatch> DecryptBatchPooledAsync(
        string keyId, IReadOnlyList<(ReadOnlyMemory<byte> Frame, RecordAad Aad)> items, CancellationToken cancellationToken = default) =>
        Count(KmsOperation.DecryptBatch, Inner.DecryptBatchPooledAsync(keyId, items, cancellationToken));

    public ValueTask<DekInfo> RotateDekAsync(string keyId, CancellationToken cancellationToken = default) =>
        Count(KmsOperation.RotateDek, Inner.RotateDekAsync(keyId, cancellationToken));

    public ValueTask<DekInfo> RewrapDekAsync(string keyId, CancellationToken cancellationToken = default) =>
        Count(KmsOperation.RewrapDek, Inner.RewrapDekAsync(keyId, cancellationToken));

    public ValueTask DisposeAsync() => Inner.DisposeAsync();

    private ValueTask<T> Count<T>(KmsOperation operation, ValueTask<T> pending)
    {
        Interlocked.Increment(ref _calls[(int)operation]);
        if (pending.IsCompletedSuccessfully)
        {
            return pending;
        }
        return Await(operation, pending);
    }

    private async ValueTask<T> Await<T>(KmsOperation operation, ValueTask<T> pending)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Increment(ref _failures[(int)operation]);
            throw;
        }
    }
}
