// Users and the store-wide lists: the user registry, the thread registry, the retention queues, and a
// thread's place in its author's lists.
using Prg.Storage.Chat.Lists;
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat;

public sealed partial class ChatStore
{
    /// <summary>Admin: every user id that ever created a thread, in first-seen order (oldest → newest).</summary>
    public Page<string> ListUsers(PageRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        if (request.Reference is { } reference)
        {
            KeySpace.ValidateUserId(reference, nameof(request));
        }

        GlobalList users = Users(new ChatTx(_kv));
        return Pager.Page(IdSource(users), request, newestFirst: false, users.Count);
    }

    /// <summary>
    /// Every stored (not purged) thread id, deleted ones included, in creation order, starting after
    /// <paramref name="afterThreadId"/> (null = from the first). For background jobs.
    /// </summary>
    public Page<string> ListAllThreadIds(string? afterThreadId, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var tx = new ChatTx(_kv);
        GlobalList registry = Registry(tx);
        string? next;
        if (afterThreadId is null)
        {
            next = registry.Head;
        }
        else
        {
            KeySpace.ValidateThreadId(afterThreadId, nameof(afterThreadId));
            if (!registry.Contains(afterThreadId))
            {
                throw new ChatKeyNotFoundException(ChatKeyKind.Thread, afterThreadId);
            }

            next = registry.Next(afterThreadId);
        }
        var ids = new List<string>(Math.Min(limit, 1024));
        for (; next is not null && ids.Count < limit; next = registry.Next(next))
        {
            ids.Add(next);
        }

        bool hasBefore = ids.Count > 0 ? registry.Prev(ids[0]) is not null : afterThreadId is not null;
        bool hasAfter = ids.Count > 0 && registry.Next(ids[^1]) is not null;
        return new Page<string>(ids, hasBefore, hasAfter, registry.Count);
    }

    private static GlobalList Users(ChatTx tx) => new(tx, KeySpace.UsersHeadKey, KeySpace.UsersNode);

    private static GlobalList Registry(ChatTx tx) => new(tx, KeySpace.ThreadsHeadKey, KeySpace.ThreadsNode);

    private static GlobalList DeletedThreads(ChatTx tx) => new(tx, KeySpace.DeletedThreadsHeadKey, KeySpace.DeletedThreadNode);

    private static GlobalList DeletedMessages(ChatTx tx) => new(tx, KeySpace.DeletedMessagesHeadKey, item =>
    {
        (string threadId, string messageKey) = ParseDeletedMessageItem(item);
        return KeySpace.DeletedMessageNode(threadId, messageKey);
    });

    // Message keys contain no ':', so the last ':' separates the (unescaped) thread id.
    private static string DeletedMessageItem(string threadId, string messageKey) => threadId + ":" + messageKey;

    private static (string ThreadId, string MessageKey) ParseDeletedMessageItem(string item)
    {
        int split = item.LastIndexOf(':');
        if (split <= 0)
        {
            throw new InvalidDataException($"Malformed deleted-message queue entry '{item}'.");
        }

        return (item[..split], item[(split + 1)..]);
    }

    private static UserMeta RequiredUser(ChatTx tx, string author)
        => tx.Get(KeySpace.UserMeta(author), UserMeta.Decode) ?? throw new InvalidDataException($"User record of '{author}' is missing.");

    private static void UnlinkFromUser(ChatTx tx, ThreadMeta meta)
    {
        UserMeta user = RequiredUser(tx, meta.Author);
        var created = new UserThreadList(tx, meta.Author, user, byUpdated: false);
        if (!created.Contains(meta.Id))
        {
            return;
        }

        created.Unlink(meta.Id);
        new UserThreadList(tx, meta.Author, user, byUpdated: true).Unlink(meta.Id);
        tx.Delete(KeySpace.UserThreadNode(meta.Author, meta.Id));
        user.LiveThreads--;
        tx.Put(KeySpace.UserMeta(meta.Author), user);
    }
}
