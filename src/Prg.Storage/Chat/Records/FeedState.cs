// Stored per-thread feed state (thread:<t>:feed): the newest event position and the oldest one still
// kept. Its own record (not a field of thread:<t>:state) so older stores open unchanged.
namespace Prg.Storage.Chat.Records;

internal sealed class FeedState : IStoredRecord
{
    /// <summary>Newest position handed out; 0 before the first event.</summary>
    public long Last;

    /// <summary>Oldest position still stored; Last + 1 when none is.</summary>
    public long Oldest = 1;

    public byte Type => RecordType.FeedState;

    public static FeedState Decode(ReadOnlySpan<byte> data) => RecordFields.Read(data, new FeedState());

    public void Fields(ref RecordFields f)
    {
        f.Int64(ref Last);
        f.Int64(ref Oldest);
    }
}
