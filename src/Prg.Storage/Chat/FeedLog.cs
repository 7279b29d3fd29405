// Names one durable feed: a thread's (thread:<t>:feed / :ev:<n>, guarded by the thread lock) or a
// user's inbox (user:<u>:feed / :ev:<n>, guarded by the user lock).
namespace Prg.Storage.Chat;

internal readonly record struct FeedLog(string Channel, string StateKey, string Owner, bool IsInbox, object Lock)
{
    public string EventKey(long position)
        => IsInbox ? KeySpace.UserFeedEvent(Owner, position) : KeySpace.FeedEvent(Owner, position);
}
