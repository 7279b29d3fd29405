// Stored read position of a thread's owner (thread:<t>:read): the newest message marked read. Only
// ever moves forward.
namespace Prg.Storage.Chat.Records;

internal sealed class ReadMark : IStoredRecord
{
    public string? UpTo;
    public long Seq;

    public byte Type => RecordType.ReadMark;

    public static ReadMark Decode(ReadOnlySpan<byte> data) => RecordFields.Read(data, new ReadMark());

    public void Fields(ref RecordFields f)
    {
        f.NullableText(ref UpTo);
        f.Int64(ref Seq);
    }

    /// <summary>Messages posted after the mark, at most the live ones: O(1) from positions, never a count.</summary>
    public long Unread(ThreadMessages? state)
        => state is null ? 0 : Math.Clamp(state.SeqHighWater - Seq, 0, state.LiveMessages);
}
