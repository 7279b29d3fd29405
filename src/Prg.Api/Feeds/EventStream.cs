// One feed (a thread's or an inbox) as server-sent events. Events are read from the store by position
// (never copied into memory ahead of time) and queued for the client while its previous flush is still going; a
// client whose queue passes feeds.subscriber_buffer is cut off (it resumes with Last-Event-ID), one
// that takes nothing within the write deadline is closed by the connection. Idle streams get a
// heartbeat comment; a graceful stop flushes what is queued and ends the stream.
using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Prg.Api.Http;
using Prg.Http;
using Prg.Storage.Chat;

namespace Prg.Api.Feeds;

internal sealed class EventStream(IFeedSource source, FeedServices feeds, FeedSubscription subscription, FeedSignal signal)
{
    private const int ReadBatch = 100;
    private static readonly ReadOnlyMemory<byte> s_contentType = "text/event-stream; charset=utf-8"u8.ToArray();

    private readonly ArrayBufferWriter<byte> _queued = new(4096);
    private readonly Utf8JsonWriter _json = new(Stream.Null);
    private long _cursor;
    private bool _ending;

    public async Task RunAsync(HttpContext ctx, long? after)
    {
        ctx.Response.ContentType = s_contentType;
        ctx.Response.AddHeader("Cache-Control"u8, "no-cache"u8);
        ctx.Response.AddHeader("X-Accel-Buffering"u8, "no"u8);
        var stream = await ctx.StartStreamingAsync();
        var heartbeat = feeds.Config.Heartbeat;
        _cursor = after ?? subscription.Durable;
        if (after is null)
        {
            QueueControl("ready", _cursor);
        }
        var flushing = Task.CompletedTask;
        var heartbeatDue = DateTime.UtcNow + heartbeat;
        try
        {
            while (true)
            {
                signal.Reset();
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
                    if (_queued.WrittenCount == 0 && DateTime.UtcNow >= heartbeatDue)
                    {
                        _queued.Write(":\n\n"u8);
                    }
                    if (_queued.WrittenCount > 0)
                    {
                        stream.Write(_queued.WrittenSpan);
                        _queued.Clear();
                        flushing = stream.FlushAsync().AsTask();
                        heartbeatDue = DateTime.UtcNow + heartbeat;
                        continue;
                    }
                    if (_ending)
                    {
                        return;
                    }
                }
                var woken = flushing.IsCompleted
                    ? Task.Delay(Max(heartbeatDue - DateTime.UtcNow, TimeSpan.Zero), ctx.Stopping)
                    : flushing;
                await Task.WhenAny(_ending ? woken : Task.WhenAny(woken, signal.Next));
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
            _json.Dispose();
        }
    }

    /// <summary>Queues the durable events after the cursor, one at a time, until the queue passes the subscriber buffer.</summary>
    private async ValueTask QueueAvailableAsync(CancellationToken ct)
    {
        while (!QueueFull)
        {
            var read = source.Read(_cursor, subscription.Durable, ReadBatch);
            if (read.Reset)
            {
                _cursor = read.Durable;
                QueueControl("reset", _cursor);
                continue;
            }
            foreach (var e in read.Events)
            {
                EventData? loaded;
                try
                {
                    loaded = await source.LoadAsync(e, ct);
                }
                catch (ApiException failure)
                {
                    // Fail closed (the key service is down): say why and end; a reconnect gets the read's error.
                    QueueFrame("error", null, w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("error"u8, failure.Message);
                        w.WriteEndObject();
                    });
                    _ending = true;
                    return;
                }
                if (loaded is not { } data)
                {
                    _ending = true; // the thread is gone: nothing will follow
                    return;
                }
                QueueFrame(EventViews.TypeName(e.Kind), e.Position, w => EventViews.Write(w, e, data));
                _cursor = e.Position;
                if (source.EndsWith(e))
                {
                    _ending = true;
                    return;
                }
                if (QueueFull)
                {
                    return;
                }
            }
            if (read.Events.Count < ReadBatch)
            {
                return;
            }
        }
    }

    /// <summary>`ready` (where a feed without a cursor starts) or `reset` (reload, then continue from here).</summary>
    private void QueueControl(string name, long position) =>
        QueueFrame(name, position, w => EventViews.WriteControl(w, name, source.ThreadId, position));

    private void QueueFrame(string name, long? id, Action<Utf8JsonWriter> writeData)
    {
        if (id is { } position)
        {
            _queued.Write(Encoding.ASCII.GetBytes($"id: {position.ToString(CultureInfo.InvariantCulture)}\n"));
        }
        _queued.Write(Encoding.ASCII.GetBytes($"event: {name}\ndata: "));
        _json.Reset(_queued);
        writeData(_json);
        _json.Flush();
        _queued.Write("\n\n"u8);
    }

    private bool QueueFull => _queued.WrittenCount > feeds.Config.SubscriberBuffer;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
