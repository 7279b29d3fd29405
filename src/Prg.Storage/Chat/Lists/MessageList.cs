// A thread's list of live messages, by created (seq) order or by updated order; pointers in the message records.
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat.Lists;

internal sealed class MessageList(ChatTx tx, ThreadMeta meta, bool byUpdated)
    : RecordList<MessageEntry>(tx, meta, KeySpace.ThreadMeta(meta.Id), byUpdated)
{
    protected override string NodeKey(string id) => KeySpace.Message(meta.Id, id);

    protected override RecordDecoder<MessageEntry> Decoder => MessageEntry.Decode;

    protected override string Describe => $"Message list of thread '{meta.Id}'";

    public override bool Contains(string id) => Find(id) is { Deleted: false };
}
