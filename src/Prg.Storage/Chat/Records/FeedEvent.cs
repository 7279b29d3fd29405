// Stored feed event (thread:<t>:ev:<n> or user:<u>:ev:<n>): kind, time, and the thread (inbox events
// only) and message it is about, if any.
namespace Prg.Storage.Chat.Records;

internal sealed class FeedEvent : IStoredRecord
{
    public ChatEventKind Kind;
    public long Ts;
    public string? ThreadId;
    public string? MessageKey;

    public byte Type => RecordType.FeedEvent;

    public static FeedEvent Decode(ReadOnlySpan<byte> data) => RecordFields.Read(data, new FeedEvent());

    public void Fields(ref RecordFields f)
    {
        byte kind = (byte)Kind;
        f.Byte(ref kind);
        Kind = (ChatEventKind)kind;
        f.Int64(ref Ts);
        f.NullableText(ref ThreadId);
        f.NullableText(ref MessageKey);
    }
}
