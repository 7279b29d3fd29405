// The chat service over the FASTER-backed ChatStore: every write is reserve → seal → commit (the AAD
// names the record's final key, so the key is fixed before the content is sealed), every read opens
// what it returns. Handlers never see a sealed frame or a kms block.
using Prg.Api.Encryption;
using Prg.Crypto;
using Prg.Storage.Chat;

namespace Prg.Api.Chat;

public sealed partial class ChatService(ChatStore store, RecordCipher cipher) : IChatService
{
    /// <summary>Concurrent edits of one message are retried this often before the caller sees a conflict.</summary>
    private const int EditAttempts = 4;

    public StoreStats Stats => store.GetStats();

    public ThreadRecord? GetThread(string threadId) => store.GetThread(threadId);

    public MessageRecord? GetMessage(ThreadRecord thread, string messageKey) => store.GetMessage(thread.Id, messageKey);

    public async ValueTask<ThreadRecord> CreateThreadAsync(string author, ReadOnlyMemory<byte> title, CancellationToken ct)
    {
        var threadId = store.NewThreadId();
        try
        {
            var kms = await cipher.CreateThreadKeysAsync(threadId, ct);
            var sealedTitle = await cipher.SealAsync(kms, RecordAad.ForTitle(threadId), title, ct);
            return await store.CreateThreadAsync(threadId, author, sealedTitle, kms, UnixNanos.Now());
        }
        finally
        {
            cipher.Settle(threadId);
        }
    }

    public async ValueTask<ThreadRecord?> RenameThreadAsync(ThreadRecord thread, ReadOnlyMemory<byte> title, CancellationToken ct)
    {
        var sealedTitle = await cipher.SealAsync(thread.AppData, RecordAad.ForTitle(thread.Id), title, ct);
        return await store.UpdateThreadAsync(thread.Id, sealedTitle, appData: null, UnixNanos.Now());
    }

    public ValueTask<bool> DeleteThreadAsync(ThreadRecord thread) => store.DeleteThreadAsync(thread.Id, UnixNanos.Now());

    public ValueTask<byte[]> OpenTitleAsync(ThreadRecord thread, CancellationToken ct) =>
        cipher.OpenAsync(thread.AppData, RecordAad.ForTitle(thread.Id), thread.Title, ct);

    public async ValueTask<PlainPage<ThreadRecord>> ListThreadsAsync(string author, PageRequest request, CancellationToken ct)
    {
        var page = store.ListThreads(author, request);
        // Every thread has its own key: one provider call per title, copied into one pooled buffer.
        var titles = new byte[page.Items.Count][];
        var total = 0;
        for (var i = 0; i < titles.Length; i++)
        {
            titles[i] = await OpenTitleAsync(page.Items[i], ct);
            total += titles[i].Length;
        }
        var batch = DecryptedBatch.Create(titles.Length, total);
        for (var i = 0; i < titles.Length; i++)
        {
            titles[i].CopyTo(batch.Reserve(i, titles[i].Length));
        }
        return new PlainPage<ThreadRecord>(page, batch);
    }

    public async ValueTask<MessageRecord?> PostMessageAsync(ThreadRecord thread, string author, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        MessageSlot slot;
        try
        {
            slot = store.ReserveMessage(thread.Id, UnixNanos.Now);
        }
        catch (ChatKeyNotFoundException)
        {
            return null;
        }
        var sealedBody = await cipher.SealAsync(thread.AppData, RecordAad.ForMessageVersion(thread.Id, slot.Key, 1), body, ct);
        return await store.CreateMessageAsync(slot, author, sealedBody, owner: thread.Author);
    }

    public async ValueTask<EditResult> EditMessageAsync(ThreadRecord thread, string messageKey, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var result = new EditResult(EditStatus.NotFound, null, 0);
        for (var attempt = 0; attempt < EditAttempts; attempt++)
        {
            if (store.GetMessage(thread.Id, messageKey) is not { Deleted: false } current)
            {
                return new EditResult(EditStatus.NotFound, null, 0);
            }
            var next = current.Version + 1;
            var sealedBody = await cipher.SealAsync(thread.AppData, RecordAad.ForMessageVersion(thread.Id, current.Key, next), body, ct);
            result = await store.EditMessageAsync(thread.Id, current.Key, current.Version, sealedBody, UnixNanos.Now());
            if (result.Status != EditStatus.Conflict)
            {
                return result;
            }
        }
        return result;
    }

    public ValueTask<bool> DeleteMessageAsync(ThreadRecord thread, string messageKey) =>
        store.DeleteMessageAsync(thread.Id, messageKey, UnixNanos.Now());

    public ValueTask<ReadState?> MarkReadAsync(ThreadRecord thread, string messageKey) =>
        store.MarkReadAsync(thread.Id, messageKey, UnixNanos.Now());

    public ValueTask<byte[]> OpenBodyAsync(ThreadRecord thread, MessageRecord message, CancellationToken ct) =>
        cipher.OpenAsync(thread.AppData, AadOf(message), message.Body, ct);

    public ValueTask<OpenMessagePage> ListMessagesAsync(ThreadRecord thread, PageRequest request, CancellationToken ct) =>
        // The thread the caller already read is the one the page uses: read and decoded once.
        OpenMessagePage.OpenAsync(store.ReadMessagePage(thread, request), thread, cipher, ct);

    public async ValueTask<PlainPage<MessageRecord>?> ListVersionsAsync(ThreadRecord thread, string messageKey, PageRequest request, CancellationToken ct)
    {
        if (store.ListVersionPage(thread.Id, messageKey, request) is not { } page)
        {
            return null;
        }
        return new PlainPage<MessageRecord>(page, await OpenBodiesAsync(thread, page.Items, ct));
    }

    public Page<string> ListUsers(PageRequest request) => store.ListUsers(request);

    public Page<string> ListUserThreadIds(string user, PageRequest request) => store.ListUserThreadIds(user, request);

    public Page<string> ListMessageKeys(ThreadRecord thread, PageRequest request) => store.ListMessageKeys(thread.Id, request);

    // One provider call for the page, its plaintexts in one pooled buffer.
    private ValueTask<DecryptedBatch> OpenBodiesAsync(ThreadRecord thread, IReadOnlyList<MessageRecord> messages, CancellationToken ct)
    {
        var items = new (ReadOnlyMemory<byte> Frame, RecordAad Aad)[messages.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = (messages[i].Body, AadOf(messages[i]));
        }
        return cipher.OpenPageAsync(thread.AppData, items, ct);
    }

    private static RecordAad AadOf(MessageRecord message) =>
        RecordAad.ForMessageVersion(message.ThreadId, message.Key, message.Version);
}
