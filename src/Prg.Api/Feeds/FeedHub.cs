// A feed's shared rendering, one per feed (a thread's or an inbox) while it has subscribers: one store
// subscription, and a loop that reads, decrypts and renders each event once as it becomes durable, into a
// small ring of frames (bounded in count and bytes) that every subscriber at the live end takes as is.
// After waking its subscribers it lets feeds.coalesce pass before the next wake, so under a steady
// stream each subscriber gets several events per socket write (an idle feed's next event goes at once).
// Subscribers behind the ring (a resume from an older cursor, or one that fell behind) render from the
// store themselves (FeedCursor). When the hub cannot render an event (the key service is down, the
// thread is gone) it stalls until the next write, and subscribers reaching that event read it themselves,
// so each of them sees the failure as before.
using System.Diagnostics;
using Prg.Storage.Chat;

namespace Prg.Api.Feeds;

internal sealed class FeedHub : IDisposable
{
    private const int ReadBatch = 100;

    private readonly FeedFrame?[] _ring;
    private readonly long _maxBytes;
    private readonly TimeSpan _coalesce;
    private readonly FeedRegistry _registry;
    private readonly FeedSignal _durable = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly FeedSubscription _subscription;
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = NewChange();
    private long _start;
    private long _rendered;
    private long _bytes;
    private long _durableSince;
    private bool _stalled;

    public FeedHub(string key, IFeedSource source, Func<Action, FeedSubscription> subscribe, int capacity, long maxBytes, TimeSpan coalesce, FeedRegistry registry)
    {
        Key = key;
        Source = source;
        _ring = new FeedFrame?[capacity];
        _maxBytes = maxBytes;
        _coalesce = coalesce;
        _registry = registry;
        _subscription = subscribe(OnDurable);
        _rendered = _subscription.Durable;
        _start = _rendered + 1;
        _ = RunAsync();
    }

    public string Key { get; }

    public IFeedSource Source { get; }

    /// <summary>Subscribers holding the hub; guarded by FeedHubs.</summary>
    public int References { get; set; }

    /// <summary>The feed's newest durable position.</summary>
    public long Durable => _subscription.Durable;

    /// <summary>Completes when frames are added or the hub stalls: take it before reading, then wait on it.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>
    /// Appends the shared frames after <paramref name="after"/> to <paramref name="into"/> while fewer than
    /// <paramref name="budget"/> bytes and <paramref name="maxFrames"/> frames are taken. When none are
    /// taken, says whether to wait for the hub or to read from the store.
    /// </summary>
    public HubTake Take(long after, List<FeedFrame> into, long budget, int maxFrames)
    {
        lock (_lock)
        {
            if (after + 1 < _start)
            {
                return new HubTake(HubState.ReadStore, after, 0);
            }
            if (after >= _rendered)
            {
                return new HubTake(_stalled || after > Durable ? HubState.ReadStore : HubState.Wait, after, 0);
            }
            long bytes = 0;
            var cursor = after;
            while (cursor < _rendered && bytes < budget && into.Count < maxFrames)
            {
                var frame = _ring[(cursor + 1) % _ring.Length]!;
                into.Add(frame);
                bytes += frame.Length;
                cursor++;
            }
            return new HubTake(cursor > after ? HubState.Taken : HubState.Wait, cursor, bytes);
        }
    }

    /// <summary>Reads and renders one event; null when the feed has ended (its thread is gone).</summary>
    public async ValueTask<FeedFrame?> RenderAsync(ChatEvent e, CancellationToken ct)
    {
        if (await Source.LoadAsync(e, ct) is not { } data)
        {
            return null;
        }
        _registry.CountRendered();
        return FeedFrame.Render(EventViews.TypeName(e.Kind), e.Position, Source.EndsWith(e), w => EventViews.Write(w, e, data));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _subscription.Dispose();
    }

    private void OnDurable()
    {
        Interlocked.CompareExchange(ref _durableSince, Stopwatch.GetTimestamp(), 0);
        _durable.Set();
    }

    private static TaskCompletionSource NewChange() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync()
    {
        try
        {
            while (true)
            {
                _durable.Reset();
                var next = _durable.Next;
                bool published;
                try
                {
                    published = await RenderAvailableAsync(_stop.Token);
                }
                catch (Exception) when (!_stop.IsCancellationRequested)
                {
                    Stall(); // each subscriber reaching the event reads it itself and sees the failure
                    published = true;
                }
                if (published && _coalesce > TimeSpan.Zero)
                {
                    await Task.Delay(_coalesce, _stop.Token);
                }
                await next.WaitAsync(_stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The last subscriber left.
        }
    }

    /// <summary>Renders the durable events after the ring's newest; true when subscribers were woken.</summary>
    private async ValueTask<bool> RenderAvailableAsync(CancellationToken ct)
    {
        var appended = false;
        // When the oldest of the events this pass renders was known durable (for the delivery histogram).
        var durableAt = Interlocked.Exchange(ref _durableSince, 0) is var since and > 0 ? since : Stopwatch.GetTimestamp();
        lock (_lock)
        {
            _stalled = false;
        }
        while (_rendered < Durable)
        {
            var read = Source.Read(_rendered, Durable, ReadBatch);
            if (read.Reset)
            {
                // The hub fell past retention: start over at the durable end; older cursors read the store (and get reset).
                lock (_lock)
                {
                    Array.Clear(_ring);
                    _rendered = read.Durable;
                    _start = _rendered + 1;
                    _bytes = 0;
                }
                appended = true;
                continue;
            }
            foreach (var e in read.Events)
            {
                if (await RenderAsync(e, ct) is not { } frame)
                {
                    Stall(); // the thread is gone
                    return true;
                }
                frame.DurableAt = durableAt;
                Append(frame);
                appended = true;
                if (frame.Ends)
                {
                    Stall(); // nothing follows a thread's deletion
                    return true;
                }
            }
        }
        if (appended)
        {
            Publish();
        }
        return appended;
    }

    private void Append(FeedFrame frame)
    {
        lock (_lock)
        {
            while (_rendered - _start + 1 >= _ring.Length)
            {
                Evict();
            }
            _ring[frame.Position % _ring.Length] = frame;
            _rendered = frame.Position;
            _bytes += frame.Length;
            while (_bytes > _maxBytes && _start < _rendered)
            {
                Evict();
            }
        }
    }

    /// <summary>The hub renders nothing more until the next write: subscribers past its frames read the store.</summary>
    private void Stall()
    {
        lock (_lock)
        {
            _stalled = true;
        }
        Publish();
    }

    private void Evict()
    {
        var slot = _start % _ring.Length;
        _bytes -= _ring[slot]!.Length;
        _ring[slot] = null;
        _start++;
    }

    private void Publish() => Interlocked.Exchange(ref _changed, NewChange()).TrySetResult();
}

internal enum HubState
{
    /// <summary>Frames were taken.</summary>
    Taken,

    /// <summary>Nothing new yet: the hub renders what comes next, wait for Changed.</summary>
    Wait,

    /// <summary>The cursor is behind the shared frames (or the hub cannot render what is next): read from the store.</summary>
    ReadStore,
}

internal readonly record struct HubTake(HubState State, long Position, long Bytes);
