// Stored read position of a thread's owner (thread:<t>:read): the newest message marked read. Only
// ever moves forward.
namespace Prg.Storage.Chat.Records;

internal sealed class ReadMark : IStoredRecord
{
    public string? UpTo;
    public long Seq;

    public void WriteTo(ref RecordWriter w)
    {
        w.WriteByte(RecordType.ReadMark);
        w.WriteString(UpTo);
        w.WriteInt64(Seq);
    }

    public static ReadMark Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.ReadMark);
        var mark = new ReadMark { UpTo = r.ReadNullableString(), Seq = r.ReadInt64() };
        r.End();
        return mark;
    }

    /// <summary>Messages posted after the mark, at most the live ones: O(1) from positions, never a count.</summary>
    public long Unread(ThreadMessages? state)
        => state is null ? 0 : Math.Clamp(state.SeqHighWater - Seq, 0, state.LiveMessages);
}
