// Stored per-thread feed state (thread:<t>:feed): the newest event position and the oldest one still
// kept. Its own record (not a field of thread:<t>:state) so older stores open unchanged.
namespace Prg.Storage.Chat.Records;

internal sealed class FeedState : IStoredRecord
{
    /// <summary>Newest position handed out; 0 before the first event.</summary>
    public long Last;

    /// <summary>Oldest position still stored; Last + 1 when none is.</summary>
    public long Oldest = 1;

    public void WriteTo(ref RecordWriter w)
    {
        w.WriteByte(RecordType.FeedState);
        w.WriteInt64(Last);
        w.WriteInt64(Oldest);
    }

    public static FeedState Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        r.ExpectType(RecordType.FeedState);
        var state = new FeedState { Last = r.ReadInt64(), Oldest = r.ReadInt64() };
        r.End();
        return state;
    }
}
