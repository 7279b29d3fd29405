// Threads: create, read, update, soft delete, the author's listings, compare-and-swap of a title.
using System.Security.Cryptography;
using Prg.Storage.Chat.Lists;
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat;

public sealed partial class ChatStore
{
    private const string IdAlphabet = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    private const int ThreadViewOverheadBytes = 200;

    /// <summary>A new unique, URL-safe (<c>[A-Za-z0-9_-]</c>) thread id whose ordinal order follows creation time.</summary>
    public string NewThreadId()
    {
        // 8 chars of milliseconds (48 bits) + 10 random chars (60 bits), in an alphabet sorted by ASCII.
        Span<char> id = stackalloc char[18];
        long ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (int i = 7; i >= 0; i--, ms >>= 6)
        {
            id[i] = IdAlphabet[(int)(ms & 63)];
        }

        ulong random = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        for (int i = 8; i < 18; i++, random >>= 6)
        {
            id[i] = IdAlphabet[(int)(random & 63)];
        }

        return new string(id);
    }

    /// <summary>Creates a thread; throws <see cref="InvalidOperationException"/> if the id is taken.</summary>
    public ValueTask<ThreadRecord> CreateThreadAsync(string threadId, string author, byte[] title, byte[] appData, long ts)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        KeySpace.ValidateUserId(author, nameof(author));
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(appData);
        ArgumentOutOfRangeException.ThrowIfNegative(ts);

        return WriteThreadAsync(threadId, author, w =>
        {
            if (w.Meta is not null)
            {
                throw new InvalidOperationException($"Thread '{threadId}' already exists.");
            }

            var meta = new ThreadMeta { Id = threadId, Author = author, CreatedTs = ts, UpdatedTs = ts, Title = title, AppData = appData };
            var state = new ThreadMessages();
            w.Put(meta);
            w.Put(state);

            UserMeta? user = w.Tx.Get(KeySpace.UserMeta(author), UserMeta.Decode);
            bool newUser = user is null;
            user ??= new UserMeta();
            w.Tx.Put(KeySpace.UserThreadNode(author, threadId), new UserThreadNode());
            new UserThreadList(w.Tx, author, user, byUpdated: false).Append(threadId);
            new UserThreadList(w.Tx, author, user, byUpdated: true).Append(threadId);
            user.LiveThreads++;
            w.Tx.Put(KeySpace.UserMeta(author), user);

            w.ThreadsDelta = 1;
            w.EmitInbox(author, ChatEventKind.ThreadCreated, ts);
            w.Global = g =>
            {
                if (newUser)
                {
                    Users(g).Add(author);
                }

                Registry(g).Add(threadId);
            };
            return meta.ToPublic(state);
        });
    }

    /// <summary>The thread, including a soft-deleted one (<see cref="ThreadRecord.Deleted"/>); null if it does not exist.</summary>
    public ThreadRecord? GetThread(string threadId)
    {
        // An id no thread can have (too long, control characters) names nothing: not the caller's bug.
        if (!KeySpace.IsValidThreadId(threadId))
        {
            return null;
        }

        return LoadThread(new ChatTx(_kv), threadId);
    }

    /// <summary>
    /// Updates title and/or app data (null = keep) and moves the thread to the newest end of its author's
    /// by-updated list. Null if the thread is missing or deleted.
    /// </summary>
    public async ValueTask<ThreadRecord?> UpdateThreadAsync(string threadId, byte[]? title, byte[]? appData, long ts)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentOutOfRangeException.ThrowIfNegative(ts);
        if (ReadMeta(threadId) is not { Deleted: false } existing)
        {
            return null;
        }

        return await WriteThreadAsync(threadId, existing.Author, w =>
        {
            if (w.Meta is not { Deleted: false } meta)
            {
                return null;
            }

            if (appData is not null)
            {
                meta.AppData = appData;
            }
            // A new title is a user-visible update; an app-data-only change is not.
            if (title is not null)
            {
                meta.Title = title;
                meta.UpdatedTs = ts;
                UserMeta user = RequiredUser(w.Tx, meta.Author);
                new UserThreadList(w.Tx, meta.Author, user, byUpdated: true).MoveToTail(threadId);
                w.Emit(ChatEventKind.ThreadUpdated, ts);
                w.EmitInbox(meta.Author, ChatEventKind.ThreadUpdated, ts);
            }
            w.Put(meta);
            return Public(w.Tx, meta, w.State);
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Soft-deletes a thread: unlinks it from its author's lists, drops the live counts by the thread
    /// and its live messages, and queues it for retention. False if missing or already deleted.
    /// </summary>
    public async ValueTask<bool> DeleteThreadAsync(string threadId, long ts)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentOutOfRangeException.ThrowIfNegative(ts);
        if (ReadMeta(threadId) is not { Deleted: false } existing)
        {
            return false;
        }

        return await WriteThreadAsync(threadId, existing.Author, w =>
        {
            if (w.Meta is not { Deleted: false } meta || w.State is not { } state)
            {
                return false;
            }

            meta.Deleted = true;
            meta.DeletedTs = ts;
            state.Deleted = true;
            w.Put(meta);
            w.Put(state);
            UnlinkFromUser(w.Tx, meta);
            _reservedSeq.TryRemove(threadId, out _);
            w.ThreadsDelta = -1;
            w.MessagesDelta = -state.LiveMessages;
            w.Emit(ChatEventKind.ThreadDeleted, ts);
            w.EmitInbox(meta.Author, ChatEventKind.ThreadDeleted, ts);
            w.Global = g => DeletedThreads(g).Add(threadId, ts);
            return true;
        }).ConfigureAwait(false);
    }

    /// <summary>The author's live threads, newest → oldest (spec §5 thread semantics).</summary>
    /// <exception cref="ChatKeyNotFoundException">The reference is not one of the author's live threads.</exception>
    public Page<ThreadRecord> ListThreads(string author, PageRequest request)
        => PageUserThreads(author, request, (tx, list) => new LinkedSource<ThreadRecord>(
            list, id => LoadThread(tx, id), t => t.Title.Length + t.Id.Length + t.Author.Length + ThreadViewOverheadBytes));

    /// <summary>Admin: the user's live thread ids, newest → oldest.</summary>
    public Page<string> ListUserThreadIds(string user, PageRequest request)
    {
        if (!KeySpace.IsValidUserId(user))
        {
            return new Page<string>([], false, false, 0); // no user can have this id
        }

        return PageUserThreads(user, request, (_, list) => IdSource(list));
    }

    /// <summary>
    /// Compare-and-swap of a live thread's stored title without touching updated_ts or list positions
    /// (rewriting it in place, e.g. re-sealed). False if the thread is missing or deleted, or the title differs.
    /// </summary>
    public ValueTask<bool> ReplaceTitleAsync(string threadId, byte[] expectedOldTitle, byte[] newTitle)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentNullException.ThrowIfNull(expectedOldTitle);
        ArgumentNullException.ThrowIfNull(newTitle);

        return WriteThreadAsync(threadId, null, w =>
        {
            if (w.Meta is not { Deleted: false } meta || !meta.Title.AsSpan().SequenceEqual(expectedOldTitle))
            {
                return false;
            }

            meta.Title = newTitle;
            w.Put(meta);
            return true;
        });
    }

    private static ThreadRecord? LoadThread(ChatTx tx, string threadId)
    {
        return tx.Get(KeySpace.ThreadMeta(threadId), ThreadMeta.Decode) is { } meta
            ? Public(tx, meta, tx.Get(KeySpace.ThreadMessages(threadId), ThreadMessages.Decode))
            : null;
    }

    /// <summary>The public view with the owner's read mark and unread count.</summary>
    private static ThreadRecord Public(ChatTx tx, ThreadMeta meta, ThreadMessages? state)
    {
        ReadMark mark = tx.Get(KeySpace.ThreadRead(meta.Id), ReadMark.Decode) ?? new ReadMark();
        return meta.ToPublic(state) with { LastRead = mark.UpTo, Unread = mark.Unread(state) };
    }

    private Page<T> PageUserThreads<T>(string user, PageRequest request, Func<ChatTx, UserThreadList, IPageSource<T>> source) where T : class
    {
        KeySpace.ValidateUserId(user, nameof(user));
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var tx = new ChatTx(_kv);
        UserMeta meta = tx.Get(KeySpace.UserMeta(user), UserMeta.Decode) ?? new UserMeta();
        if (request.Reference is { Length: 0 })
        {
            throw new ChatKeyNotFoundException(ChatKeyKind.PageAnchor, "");
        }

        var list = new UserThreadList(tx, user, meta, request.SortBy == SortBy.UpdatedTs);
        return Pager.Page(source(tx, list), request, newestFirst: true, meta.LiveThreads);
    }

    private static LinkedSource<string> IdSource(KvLinkedList list) => new(list, id => id, id => id.Length + 4);
}
