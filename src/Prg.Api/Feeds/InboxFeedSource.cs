// A user's inbox feed: their threads created, updated and deleted (thread view, title decrypted), a
// summary of each post ({"key","thread"}, no body) and each read mark ({"key","thread"}).
using Prg.Storage.Chat;

namespace Prg.Api.Feeds;

internal sealed class InboxFeedSource(ChatStore store, EventViews views, string user) : IFeedSource
{
    public string? ThreadId => null;

    public FeedRead Read(long after, long durable, int max) => store.ReadInbox(user, after, durable, max);

    public async ValueTask<EventData?> LoadAsync(ChatEvent e, CancellationToken ct)
    {
        if (e.Kind is ChatEventKind.MessageCreated or ChatEventKind.Read)
        {
            return new EventData(null, null, null, EventShape.Summary);
        }
        return store.GetThread(e.ThreadId) is { } thread
            ? await views.LoadAsync(e, thread, ct)
            : new EventData(null, null, null, EventShape.Deleted);
    }

    public bool EndsWith(ChatEvent e) => false;
}
