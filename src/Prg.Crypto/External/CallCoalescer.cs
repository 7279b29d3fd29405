// Coalesces concurrent single calls into batch requests under load. While fewer than MaxInFlight
// requests are outstanding a call goes straight out on its own (no added latency when idle); once
// the limit is reached calls queue, and each time a request finishes, whatever has queued meanwhile
// leaves as ONE batch request. Batches therefore grow exactly as fast as load does.
namespace Prg.Crypto;

internal sealed class CallCoalescer
{
    private readonly ConcurrentQueueWithCount _queue = new();
    private readonly int _maxInFlight;
    private readonly int _maxBatchItems;
    private readonly int _maxBatchBytes;
    private readonly Func<PendingCall, CancellationToken, ValueTask<byte[]>> _sendSingle;
    private readonly Func<List<PendingCall>, Task> _sendBatch;
    private int _inFlight;

    /// <param name="sendSingle">Sends one call directly (the idle path).</param>
    /// <param name="sendBatch">Sends queued calls and completes each of them; must not throw.</param>
    public CallCoalescer(
        int maxInFlight,
        int maxBatchItems,
        int maxBatchBytes,
        Func<PendingCall, CancellationToken, ValueTask<byte[]>> sendSingle,
        Func<List<PendingCall>, Task> sendBatch)
    {
        _maxInFlight = maxInFlight;
        _maxBatchItems = maxBatchItems;
        _maxBatchBytes = maxBatchBytes;
        _sendSingle = sendSingle;
        _sendBatch = sendBatch;
    }

    public ValueTask<byte[]> RunAsync(string keyId, ReadOnlyMemory<byte> input, RecordAad aad, CancellationToken cancellationToken)
    {
        if (_queue.IsEmpty && TryTakeSlot())
        {
            return RunDirectAsync(new PendingCall(keyId, input, aad), cancellationToken);
        }

        var call = new PendingCall(keyId, input, aad);
        _queue.Enqueue(call);
        Pump();
        Task<byte[]> task = call.Completion.Task;
        return new ValueTask<byte[]>(cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task);
    }

    private async ValueTask<byte[]> RunDirectAsync(PendingCall call, CancellationToken cancellationToken)
    {
        try
        {
            return await _sendSingle(call, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            Pump();
        }
    }

    private bool TryTakeSlot()
    {
        while (true)
        {
            int current = Volatile.Read(ref _inFlight);
            if (current >= _maxInFlight)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    // Every enqueue is followed by a Pump, and every request that ends pumps again, so a queued call
    // is never stranded: either its own Pump found a free slot, or a request still in flight will.
    private void Pump()
    {
        while (!_queue.IsEmpty && TryTakeSlot())
        {
            List<PendingCall> batch = Drain();
            if (batch.Count == 0)
            {
                Interlocked.Decrement(ref _inFlight);
                continue;
            }

            _ = SendBatchAsync(batch);
        }
    }

    private List<PendingCall> Drain()
    {
        var batch = new List<PendingCall>(Math.Min(_queue.Count, _maxBatchItems));
        long bytes = 0;
        while (batch.Count < _maxBatchItems && _queue.TryPeek(out PendingCall? next))
        {
            if (batch.Count > 0 && bytes + next.Input.Length > _maxBatchBytes)
            {
                break;
            }

            if (!_queue.TryDequeue(out PendingCall? call))
            {
                break;
            }

            bytes += call.Input.Length;
            batch.Add(call);
        }

        return batch;
    }

    private async Task SendBatchAsync(List<PendingCall> batch)
    {
        try
        {
            await _sendBatch(batch).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // sendBatch completes its calls itself; this is only a backstop so none is left hanging.
            foreach (PendingCall call in batch)
            {
                call.Completion.TrySetException(e);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            Pump();
        }
    }
}
