// A thread's feed: its message and thread events, each shown as the read routes show the record now.
using Prg.Storage.Chat;

namespace Prg.Api.Feeds;

internal sealed class ThreadFeedSource(ChatStore store, EventViews views, string threadId) : IFeedSource
{
    public string? ThreadId => threadId;

    public FeedRead Read(long after, long durable, int max) => store.ReadEvents(threadId, after, durable, max);

    public async ValueTask<EventData?> LoadAsync(ChatEvent e, CancellationToken ct) =>
        store.GetThread(threadId) is { } thread ? await views.LoadAsync(e, thread, ct) : null;

    public bool EndsWith(ChatEvent e) => e.Kind == ChatEventKind.ThreadDeleted;
}
