// Key rotation's chat half: re-sealing what a thread already stores under a newer version of its data
// key. Each title or body is swapped with a compare-and-swap, so one rewritten meanwhile (a rename, an
// edit, a concurrent re-seal: all already under the new version) or purged is left alone. Reads keep
// working throughout because every frame names the key version it was sealed under.
using System.Security.Cryptography;
using Prg.Crypto;
using Prg.Storage.Chat;

namespace Prg.Api.Chat;

public sealed partial class ChatService
{
    public Page<string> ListAllThreadIds(string? afterThreadId, int limit) => store.ListAllThreadIds(afterThreadId, limit);

    public async ValueTask<ResealFailure?> ResealTitleAsync(string threadId, uint keyVersion, CancellationToken ct)
    {
        IKeyProvider provider = Provider;
        if (store.GetThread(threadId) is not { Deleted: false } thread || !IsStale(thread.Title, keyVersion))
        {
            return null;
        }
        string keyId = KeyIds.ForThread(threadId);
        RecordAad aad = RecordAad.ForTitle(threadId);
        byte[] title;
        try
        {
            title = await provider.DecryptAsync(keyId, thread.Title, aad, ct);
        }
        catch (CryptoException e) when (e is FrameAuthenticationException or MalformedFrameException)
        {
            return new ResealFailure(null, 0, e.Message);
        }
        try
        {
            // False: renamed meanwhile, so the title is already under the new version.
            await store.ReplaceTitleAsync(threadId, thread.Title, await provider.EncryptAsync(keyId, title, aad, ct));
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(title);
        }
    }

    public async ValueTask<IReadOnlyList<ResealFailure>> ResealMessagesAsync(string threadId, IReadOnlyList<string> messageKeys, uint keyVersion, CancellationToken ct)
    {
        IKeyProvider provider = Provider;
        var stale = new List<MessageRecord>();
        foreach (string messageKey in messageKeys)
        {
            foreach (MessageRecord version in store.ListVersions(threadId, messageKey))
            {
                if (IsStale(version.Body, keyVersion))
                {
                    stale.Add(version);
                }
            }
        }
        if (stale.Count == 0)
        {
            return [];
        }

        // One provider call to open them all and one to seal the readable ones again.
        string keyId = KeyIds.ForThread(threadId);
        var frames = new (ReadOnlyMemory<byte> Frame, RecordAad Aad)[stale.Count];
        for (int i = 0; i < stale.Count; i++)
        {
            frames[i] = (stale[i].Body, AadOf(stale[i]));
        }
        DecryptResult[] opened = await provider.DecryptBatchAsync(keyId, frames, ct);
        var failures = new List<ResealFailure>();
        var readable = new List<int>(stale.Count);
        for (int i = 0; i < opened.Length; i++)
        {
            if (opened[i].IsSuccess)
            {
                readable.Add(i);
            }
            else
            {
                failures.Add(new ResealFailure(stale[i].Key, stale[i].Version, opened[i].Error!.Message));
            }
        }
        if (readable.Count == 0)
        {
            return failures;
        }

        var plaintexts = new (ReadOnlyMemory<byte> Plaintext, RecordAad Aad)[readable.Count];
        for (int i = 0; i < readable.Count; i++)
        {
            plaintexts[i] = (opened[readable[i]].Plaintext!, frames[readable[i]].Aad);
        }
        byte[][] resealed;
        try
        {
            resealed = await provider.EncryptBatchAsync(keyId, plaintexts, ct);
        }
        finally
        {
            foreach (int i in readable)
            {
                CryptographicOperations.ZeroMemory(opened[i].Plaintext);
            }
        }
        for (int i = 0; i < readable.Count; i++)
        {
            MessageRecord old = stale[readable[i]];
            await store.ReplaceBodyAsync(threadId, old.Key, old.Version, old.Body, resealed[i]);
        }
        return failures;
    }

    private IKeyProvider Provider => cipher.Provider ?? throw new InvalidOperationException("Re-sealing needs encryption to be on.");

    /// <summary>Sealed under a data key version older than <paramref name="keyVersion"/> (or not a readable frame at all).</summary>
    private static bool IsStale(byte[] stored, uint keyVersion) =>
        !DataFrame.TryReadDekVersion(stored, out uint version) || version < keyVersion;
}
