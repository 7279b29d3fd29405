// What the HTTP routes ask of the chat store: threads, messages, versions and the admin listings, in
// plaintext. Implementations own how records are stored and sealed (ChatService: ChatStore + RecordCipher);
// a second storage backend plugs in here. Nothing here names the engine underneath.
using Prg.Storage.Chat;

namespace Prg.Api.Chat;

public interface IChatService
{
    /// <summary>The thread, including a soft-deleted one; null if there is none by that id.</summary>
    ThreadRecord? GetThread(string threadId);

    /// <summary>The message, including a soft-deleted one; null if the thread has no such key.</summary>
    MessageRecord? GetMessage(ThreadRecord thread, string messageKey);

    /// <summary>Creates a thread owned by <paramref name="author"/> with its own data key.</summary>
    ValueTask<ThreadRecord> CreateThreadAsync(string author, ReadOnlyMemory<byte> title, CancellationToken ct);

    /// <summary>Replaces the title; null if the thread is gone.</summary>
    ValueTask<ThreadRecord?> RenameThreadAsync(ThreadRecord thread, ReadOnlyMemory<byte> title, CancellationToken ct);

    /// <summary>Soft-deletes the thread; false if it was already gone.</summary>
    ValueTask<bool> DeleteThreadAsync(ThreadRecord thread);

    /// <summary>The thread's title in plaintext.</summary>
    ValueTask<byte[]> OpenTitleAsync(ThreadRecord thread, CancellationToken ct);

    /// <summary>A page of the author's live threads with their titles in plaintext.</summary>
    /// <exception cref="ChatKeyNotFoundException">The page's reference is not in the list.</exception>
    ValueTask<PlainPage<ThreadRecord>> ListThreadsAsync(string author, PageRequest request, CancellationToken ct);

    /// <summary>Posts a message (version 1); null if the thread is gone.</summary>
    ValueTask<MessageRecord?> PostMessageAsync(ThreadRecord thread, string author, ReadOnlyMemory<byte> body, CancellationToken ct);

    /// <summary>Installs <paramref name="body"/> as the message's next version, retrying a concurrent edit a few times.</summary>
    ValueTask<EditResult> EditMessageAsync(ThreadRecord thread, string messageKey, ReadOnlyMemory<byte> body, CancellationToken ct);

    /// <summary>Soft-deletes a message; false if it was already gone.</summary>
    ValueTask<bool> DeleteMessageAsync(ThreadRecord thread, string messageKey);

    /// <summary>Moves the owner's read mark up to the message (never back); null if there is no such message.</summary>
    ValueTask<ReadState?> MarkReadAsync(ThreadRecord thread, string messageKey);

    /// <summary>The message's body in plaintext.</summary>
    ValueTask<byte[]> OpenBodyAsync(ThreadRecord thread, MessageRecord message, CancellationToken ct);

    /// <summary>A page of the thread's live messages with their bodies in plaintext.</summary>
    /// <exception cref="ChatKeyNotFoundException">The page's reference is not in the list.</exception>
    ValueTask<OpenMessagePage> ListMessagesAsync(ThreadRecord thread, PageRequest request, CancellationToken ct);

    /// <summary>A page of the message's stored versions with their bodies in plaintext; null if there is no such message.</summary>
    ValueTask<PlainPage<MessageRecord>?> ListVersionsAsync(ThreadRecord thread, string messageKey, PageRequest request, CancellationToken ct);

    /// <summary>Live threads and messages in the store.</summary>
    StoreStats Stats { get; }

    /// <summary>Admin: users with live threads.</summary>
    Page<string> ListUsers(PageRequest request);

    /// <summary>Admin: a user's live thread ids.</summary>
    Page<string> ListUserThreadIds(string user, PageRequest request);

    /// <summary>Admin: a thread's live message keys (no message is decrypted).</summary>
    Page<string> ListMessageKeys(ThreadRecord thread, PageRequest request);

    /// <summary>Admin: every thread id (live or deleted) after <paramref name="afterThreadId"/>, in id order.</summary>
    /// <exception cref="ChatKeyNotFoundException"><paramref name="afterThreadId"/> is no longer stored.</exception>
    Page<string> ListAllThreadIds(string? afterThreadId, int limit);

    /// <summary>
    /// Key rotation: re-seals the live thread's title under data key version <paramref name="keyVersion"/> if it is
    /// sealed under an older one (a rename meanwhile wins). Null when done or not needed, else why it could not be read.
    /// </summary>
    ValueTask<ResealFailure?> ResealTitleAsync(string threadId, uint keyVersion, CancellationToken ct);

    /// <summary>
    /// Key rotation: re-seals every stored version of these messages that is sealed under a data key version older than
    /// <paramref name="keyVersion"/>, each only if unchanged meanwhile; returns those that could not be read (left as they are).
    /// </summary>
    ValueTask<IReadOnlyList<ResealFailure>> ResealMessagesAsync(string threadId, IReadOnlyList<string> messageKeys, uint keyVersion, CancellationToken ct);
}
