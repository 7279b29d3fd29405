// Wakes a feed's loop when its thread's durable position advances. Reset before reading, then wait:
// a Set that lands between the two completes the fresh task, so no advance is ever missed.
namespace Prg.Api.Feeds;

internal sealed class FeedSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _next).Task;

    public void Set() => Volatile.Read(ref _next).TrySetResult();

    public void Reset()
    {
        if (_next.Task.IsCompleted)
        {
            Volatile.Write(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
    }
}
