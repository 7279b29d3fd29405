// One feed (a thread's or an inbox) as server-sent events. Each time the feed advances, the stream takes
// the frames after its cursor (the hub's shared frames at the live end, rendered from the store when
// behind: FeedCursor) and sends everything pending in one write; while that write is still going, newer
// frames are queued for it, and a client whose queue passes feeds.subscriber_buffer is cut off (it
// resumes with Last-Event-ID); one that takes nothing within the write deadline is closed by the
// connection. Idle streams get a heartbeat comment; a graceful stop flushes what is queued and ends.
using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Prg.Api.Http;
using Prg.Http;

namespace Prg.Api.Feeds;

internal sealed class EventStream(FeedCursor cursor, FeedServices feeds, string? threadId)
{
    private static readonly ReadOnlyMemory<byte> s_contentType = "text/event-stream; charset=utf-8"u8.ToArray();

    private readonly ArrayBufferWriter<byte> _queued = new(4096);
    private readonly List<FeedFrame> _frames = [];
    private bool _ending;
    private long _oldestDurableAt;

    public async Task RunAsync(HttpContext ctx, bool announceStart)
    {
        ctx.Response.ContentType = s_contentType;
        ctx.Response.AddHeader("Cache-Control"u8, "no-cache"u8);
        ctx.Response.AddHeader("X-Accel-Buffering"u8, "no"u8);
        var stream = await ctx.StartStreamingAsync();
        var heartbeat = feeds.Config.Heartbeat;
        if (announceStart)
        {
            _queued.Write(EventViews.ControlFrame("ready", threadId, cursor.Position).Sse);
        }
        var flushing = Task.CompletedTask;
        var heartbeatDue = DateTime.UtcNow + heartbeat;
        // One timer at a time (not one per wake): it fires at heartbeatDue, or is re-armed for it.
        var heartbeatTimer = Task.Delay(heartbeat, ctx.Stopping);
        try
        {
            while (true)
            {
                var changed = cursor.Changed;
                if (!_ending)
                {
                    await QueueAvailableAsync(ctx.Aborted);
                    // Over the bound while the client has not taken the previous write: it is not keeping up.
                    if (_queued.WrittenCount > feeds.Config.SubscriberBuffer && !flushing.IsCompleted)
                    {
                        feeds.Registry.CountCutOff();
                        stream.Abort();
                        return;
                    }
                }
                if (flushing.IsCompleted)
                {
                    await flushing;
                    if (heartbeatTimer.IsCompleted)
                    {
                        var now = DateTime.UtcNow;
                        if (_queued.WrittenCount == 0 && now >= heartbeatDue)
                        {
                            _queued.Write(":\n\n"u8);
                        }
                        // Whatever is queued is written now, which moves the next heartbeat a full interval on.
                        heartbeatTimer = Task.Delay(_queued.WrittenCount > 0 ? heartbeat : heartbeatDue - now, ctx.Stopping);
                    }
                    if (_queued.WrittenCount > 0)
                    {
                        stream.Write(_queued.WrittenSpan);
                        _queued.Clear();
                        if (_oldestDurableAt != 0)
                        {
                            feeds.Registry.RecordDelivery(Stopwatch.GetElapsedTime(_oldestDurableAt));
                            _oldestDurableAt = 0;
                        }
                        flushing = stream.FlushAsync().AsTask();
                        heartbeatDue = DateTime.UtcNow + heartbeat;
                        continue;
                    }
                    if (_ending)
                    {
                        return;
                    }
                }
                await Task.WhenAny(flushing.IsCompleted ? heartbeatTimer : flushing, changed);
                _ending |= ctx.Stopping.IsCancellationRequested;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The client went away or did not keep up with the write deadline: the connection closes.
        }
        finally
        {
            if (!flushing.IsCompleted)
            {
                stream.Abort();
                await flushing.ContinueWith(static _ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Queues the frames after the cursor until the queue passes the subscriber buffer.</summary>
    private async ValueTask QueueAvailableAsync(CancellationToken ct)
    {
        var budget = feeds.Config.SubscriberBuffer + 1 - _queued.WrittenCount;
        if (budget <= 0)
        {
            return;
        }
        _frames.Clear();
        try
        {
            await cursor.ReadAsync(_frames, budget, int.MaxValue, ct);
        }
        catch (ApiException failure)
        {
            // Fail closed (the key service is down): say why and end; a reconnect gets the read's error.
            QueueFrames();
            _queued.Write(FeedFrame.Render("error", null, ends: true, w => WriteError(w, failure.Message)).Sse);
            _ending = true;
            return;
        }
        QueueFrames();
        _ending |= cursor.Ended;
    }

    private void QueueFrames()
    {
        foreach (var frame in _frames)
        {
            _queued.Write(frame.Sse);
            if (frame.DurableAt != 0 && (_oldestDurableAt == 0 || frame.DurableAt < _oldestDurableAt))
            {
                _oldestDurableAt = frame.DurableAt;
            }
        }
    }

    private static void WriteError(Utf8JsonWriter w, string message)
    {
        w.WriteStartObject();
        w.WriteString("error"u8, message);
        w.WriteEndObject();
    }
}
