// One subscriber's place in a feed (an event stream's or a long-poll's). At the live end it takes the
// hub's shared frames; behind them (a resume from an older cursor, a subscriber that fell behind, or an
// event the hub could not render) it reads and renders from the store by position itself. Either way the
// position is the one truth, so a resume has no gap and no duplicate, and a cursor past retention (or
// ahead of the feed) gets `reset`.
using Prg.Api.Http;

namespace Prg.Api.Feeds;

internal sealed class FeedCursor(FeedHub hub, long position)
{
    private const int StoreBatch = 100;

    /// <summary>The position of the last event taken.</summary>
    public long Position { get; private set; } = position;

    /// <summary>The feed has ended (its thread was deleted or is gone): nothing follows.</summary>
    public bool Ended { get; private set; }

    /// <summary>Completes when there may be more to read: take it before reading, then wait on it.</summary>
    public Task Changed => hub.Changed;

    /// <summary>
    /// Appends the frames after <see cref="Position"/> to <paramref name="into"/> while fewer than
    /// <paramref name="budget"/> bytes (the last frame may pass it) and <paramref name="maxFrames"/> frames
    /// are taken. Throws <see cref="ApiException"/> when an event cannot be read (the key service is down);
    /// the frames taken before it stay in <paramref name="into"/>.
    /// </summary>
    public async ValueTask ReadAsync(List<FeedFrame> into, long budget, int maxFrames, CancellationToken ct)
    {
        long bytes = 0;
        while (!Ended && bytes < budget && into.Count < maxFrames)
        {
            var take = hub.Take(Position, into, budget - bytes, maxFrames - into.Count);
            if (take.State == HubState.Taken)
            {
                Position = take.Position;
                bytes += take.Bytes;
                Ended = into[^1].Ends;
                continue;
            }
            if (take.State == HubState.Wait)
            {
                return;
            }
            var read = hub.Source.Read(Position, hub.Durable, Math.Min(StoreBatch, maxFrames - into.Count));
            if (read.Reset)
            {
                Position = read.Durable;
                var reset = EventViews.ControlFrame("reset", hub.Source.ThreadId, Position);
                into.Add(reset);
                bytes += reset.Length;
                continue;
            }
            if (read.Events.Count == 0)
            {
                return;
            }
            foreach (var e in read.Events)
            {
                if (await hub.RenderAsync(e, ct) is not { } frame)
                {
                    Ended = true; // the thread is gone
                    return;
                }
                into.Add(frame);
                bytes += frame.Length;
                Position = e.Position;
                Ended = frame.Ends;
                if (Ended || bytes >= budget)
                {
                    return;
                }
            }
        }
    }
}
