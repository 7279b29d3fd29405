// The state of one locked write to a thread: its ChatTx, its meta and state records (each read and
// decoded at most once), the live-count changes and the store-wide list changes it implies.
using Prg.Storage.Chat.Records;
using Prg.Storage.Engine;

namespace Prg.Storage.Chat;

internal sealed class ThreadWrite(DurableKv kv, string threadId)
{
    private readonly string _metaKey = KeySpace.ThreadMeta(threadId);
    private readonly string _stateKey = KeySpace.ThreadMessages(threadId);

    public ChatTx Tx { get; } = new(kv);

    public string ThreadId => threadId;

    public ThreadMeta? Meta => Tx.Get(_metaKey, ThreadMeta.Decode);

    public ThreadMessages? State => Tx.Get(_stateKey, ThreadMessages.Decode);

    /// <summary>Change of the store's live thread count.</summary>
    public long ThreadsDelta { get; set; }

    /// <summary>Change of the store's live message count.</summary>
    public long MessagesDelta { get; set; }

    /// <summary>Changes to the store-wide lists, applied under the global lock in the same batch.</summary>
    public Action<ChatTx>? Global { get; set; }

    /// <summary>Events this write appends to the thread's feed, in order; null if none.</summary>
    public List<FeedEvent>? Events { get; private set; }

    /// <summary>The feed position of the write's last thread event once staged; 0 if it has none.</summary>
    public long FeedPosition { get; set; }

    /// <summary>The user whose lock the write holds (the only inbox it may append to); null if none.</summary>
    public string? LockedUser { get; init; }

    /// <summary>The inbox the write appends to, and its events; null if none.</summary>
    public string? InboxUser { get; private set; }

    public List<FeedEvent>? InboxEvents { get; private set; }

    /// <summary>The inbox position of the write's last inbox event once staged; 0 if it has none.</summary>
    public long InboxPosition { get; set; }

    public void Emit(ChatEventKind kind, long ts, string? messageKey = null)
        => (Events ??= []).Add(new FeedEvent { Kind = kind, Ts = ts, MessageKey = messageKey });

    /// <summary>Appends an event about this thread to <paramref name="user"/>'s inbox; the write must hold that user's lock.</summary>
    public void EmitInbox(string user, ChatEventKind kind, long ts, string? messageKey = null)
    {
        if (user != LockedUser || (InboxUser is not null && InboxUser != user))
        {
            throw new InvalidOperationException($"An inbox event for '{user}' needs that user's lock.");
        }

        InboxUser = user;
        (InboxEvents ??= []).Add(new FeedEvent { Kind = kind, Ts = ts, ThreadId = threadId, MessageKey = messageKey });
    }

    public void Put(ThreadMeta meta) => Tx.Put(_metaKey, meta);

    public void Put(ThreadMessages state) => Tx.Put(_stateKey, state);

    /// <summary>Deletes the meta, state and feed records (at most ChatStore.MaxFeedRetention events and a few more).</summary>
    public void DeleteThreadRecords()
    {
        Tx.Delete(_metaKey);
        Tx.Delete(_stateKey);
        Tx.Delete(KeySpace.ThreadRead(threadId));
        string feedKey = KeySpace.ThreadFeed(threadId);
        if (Tx.Get(feedKey, FeedState.Decode) is { } feed)
        {
            for (long position = feed.Oldest; position <= feed.Last; position++)
            {
                Tx.Delete(KeySpace.FeedEvent(threadId, position));
            }

            Tx.Delete(feedKey);
        }
    }
}
