// Versions: every kept version of a message, whole (bounded by the cap) or paged, and the cap itself.
using Prg.Storage.Chat.Lists;
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat;

public sealed partial class ChatStore
{
    /// <summary>Most versions one edit drops when the cap was lowered (the next edits drop the rest).</summary>
    private const int MaxVersionsDroppedPerEdit = 64;

    /// <summary>
    /// Every kept version of the message including the current one, oldest first (at most
    /// <see cref="ChatStoreOptions.MaxVersionsPerMessage"/>); empty if there is no such message.
    /// </summary>
    public IReadOnlyList<MessageRecord> ListVersions(string threadId, string messageKey)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        if (!KeySpace.TryParseMessageKey(messageKey, out _, out _))
        {
            return [];
        }

        var tx = new ChatTx(_kv);
        if (tx.Get(KeySpace.Message(threadId, messageKey), MessageEntry.Decode) is not { } entry)
        {
            return [];
        }

        var versions = new List<MessageRecord>(entry.Version - entry.OldestVersion + 1);
        for (int n = entry.OldestVersion; n <= entry.Version; n++)
        {
            if (LoadVersion(tx, threadId, messageKey, entry, n) is { } version)
            {
                versions.Add(version);
            }
        }
        return versions;
    }

    /// <summary>
    /// One page of the message's kept versions, oldest → newest, with the paging rules of messages
    /// (references are version numbers). Null if there is no such message.
    /// </summary>
    /// <exception cref="ChatKeyNotFoundException">The reference is not a kept version.</exception>
    public Page<MessageRecord>? ListVersionPage(string threadId, string messageKey, PageRequest request)
    {
        KeySpace.ValidateThreadId(threadId, nameof(threadId));
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        if (!KeySpace.TryParseMessageKey(messageKey, out _, out _))
        {
            return null;
        }

        var tx = new ChatTx(_kv);
        if (tx.Get(KeySpace.Message(threadId, messageKey), MessageEntry.Decode) is not { } entry)
        {
            return null;
        }

        var source = new VersionSource(entry.OldestVersion, entry.Version, n => LoadVersion(tx, threadId, messageKey, entry, n));
        return Pager.Page(source, request, newestFirst: false, entry.Version - entry.OldestVersion + 1);
    }

    private static MessageRecord? LoadVersion(ChatTx tx, string threadId, string messageKey, MessageEntry entry, int version)
    {
        if (version == entry.Version)
        {
            return entry.ToPublic(threadId, messageKey);
        }

        if (tx.Get(KeySpace.MessageVersion(threadId, messageKey, version), VersionEntry.Decode) is not { } v)
        {
            return null;
        }

        return new MessageRecord
        {
            ThreadId = threadId,
            Key = messageKey,
            Seq = KeySpace.SeqOf(messageKey),
            Author = v.Author,
            CreatedTs = v.CreatedTs,
            UpdatedTs = v.UpdatedTs,
            Deleted = entry.Deleted,
            DeletedTs = entry.DeletedTs,
            Version = v.Version,
            Body = v.Body,
        };
    }

    /// <summary>Deletes the oldest versions beyond the cap, in the same batch as the edit that made them excess.</summary>
    private void DropVersionsOverCap(ChatTx tx, string threadId, string messageKey, MessageEntry entry)
    {
        int max = _options.MaxVersionsPerMessage;
        if (max == 0)
        {
            return;
        }

        int excess = Math.Min(entry.Version - entry.OldestVersion + 1 - max, MaxVersionsDroppedPerEdit);
        for (int i = 0; i < excess; i++)
        {
            tx.Delete(KeySpace.MessageVersion(threadId, messageKey, entry.OldestVersion));
            entry.OldestVersion++;
        }
    }
}
