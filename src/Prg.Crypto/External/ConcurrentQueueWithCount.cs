// A ConcurrentQueue of pending calls with a cheap approximate count, so a drained batch can be
// sized without walking the queue's segments.
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Prg.Crypto;

internal sealed class ConcurrentQueueWithCount
{
    private readonly ConcurrentQueue<PendingCall> _queue = new();
    private int _count;

    public bool IsEmpty => Volatile.Read(ref _count) <= 0 && _queue.IsEmpty;

    public int Count => Math.Max(0, Volatile.Read(ref _count));

    public void Enqueue(PendingCall call)
    {
        _queue.Enqueue(call);
        Interlocked.Increment(ref _count);
    }

    public bool TryPeek([NotNullWhen(true)] out PendingCall? call) => _queue.TryPeek(out call);

    public bool TryDequeue([NotNullWhen(true)] out PendingCall? call)
    {
        if (_queue.TryDequeue(out call))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }
}
