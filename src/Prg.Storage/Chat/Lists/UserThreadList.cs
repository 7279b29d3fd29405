// A user's list of live threads, by created or by updated order; pointers in user:<u>:thread:<t> nodes.
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat.Lists;

internal sealed class UserThreadList(ChatTx tx, string userId, UserMeta meta, bool byUpdated)
    : RecordList<UserThreadNode>(tx, meta, KeySpace.UserMeta(userId), byUpdated)
{
    protected override string NodeKey(string id) => KeySpace.UserThreadNode(userId, id);

    protected override RecordDecoder<UserThreadNode> Decoder => UserThreadNode.Decode;

    protected override string Describe => $"Thread list of user '{userId}'";

    public override bool Contains(string id) => Find(id) is not null;
}
