// The embedded provider's DEK store is the thread metadata's kms block (seed §2). A DEK provisioned
// for a thread that is not written yet waits here until the thread's creating write lands.
using System.Collections.Concurrent;
using Prg.Crypto;
using Prg.Storage.Chat;

namespace Prg.Api.Encryption;

public sealed class ThreadMetaDekStore(ChatStore store) : IDekStore
{
    private readonly ConcurrentDictionary<string, ThreadKeyMaterial> _pending = new(StringComparer.Ordinal);

    public ValueTask<ThreadKeyMaterial?> GetAsync(string keyId, CancellationToken cancellationToken)
    {
        if (_pending.TryGetValue(keyId, out var pending))
        {
            return ValueTask.FromResult<ThreadKeyMaterial?>(pending);
        }
        if (!KeyIds.TryGetThreadId(keyId, out var threadId) || store.GetThread(threadId) is not { AppData.Length: > 0 } thread)
        {
            return ValueTask.FromResult<ThreadKeyMaterial?>(null);
        }
        return ValueTask.FromResult<ThreadKeyMaterial?>(ThreadKeyMaterial.Parse(thread.AppData));
    }

    public async ValueTask SaveAsync(ThreadKeyMaterial material, CancellationToken cancellationToken)
    {
        // Rotation and rewrap of an existing thread's key: a durable update of its kms block only.
        if (!KeyIds.TryGetThreadId(material.KeyId, out var threadId)
            || await store.UpdateThreadAsync(threadId, title: null, appData: material.ToUtf8Json(), UnixNanosNow()) is null)
        {
            throw new UnknownKeyException($"no live thread holds key '{material.KeyId}'", UnknownKeyReason.KeyId);
        }
    }

    /// <summary>Keeps a new thread's key material visible until its creating write has landed.</summary>
    public void Hold(ThreadKeyMaterial material) => _pending[material.KeyId] = material;

    /// <summary>Called once the thread's creating write is durable (or failed): its meta now holds the key.</summary>
    public void Settle(string keyId) => _pending.TryRemove(keyId, out _);

    /// <summary>
    /// Waits until no thread creation in flight holds material matching <paramref name="match"/> (a KEK
    /// rotation must not finish while a DEK wrapped under the old KEK is about to be written).
    /// </summary>
    /// <returns>False if such material was still pending after <paramref name="timeout"/>.</returns>
    public async ValueTask<bool> WaitForPendingAsync(Func<ThreadKeyMaterial, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(match);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            bool pending = false;
            foreach (var (_, material) in _pending)
            {
                if (match(material))
                {
                    pending = true;
                    break;
                }
            }
            if (!pending)
            {
                return true;
            }
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    private static long UnixNanosNow() => Chat.UnixNanos.Now();
}
