// A store's idle MessagePages: a page read takes one instead of allocating its rows and arena again.
// Bounded (a burst of concurrent pages beyond it leaves the extra pages to the GC); lock-free slots.
namespace Prg.Storage.Chat;

internal sealed class MessagePagePool
{
    private const int IdlePages = 32;

    private readonly MessagePage?[] _idle = new MessagePage?[IdlePages];

    /// <summary>An empty page for <paramref name="threadId"/>; return it with <see cref="MessagePage.Dispose"/>.</summary>
    public MessagePage Rent(string threadId)
    {
        MessagePage page = TakeIdle() ?? new MessagePage(this);
        page.Start(threadId);
        return page;
    }

    /// <summary>Keeps a cleared page for the next read, if a slot is free.</summary>
    public void Return(MessagePage page)
    {
        for (int i = 0; i < _idle.Length; i++)
        {
            if (Volatile.Read(ref _idle[i]) is null && Interlocked.CompareExchange(ref _idle[i], page, null) is null)
            {
                return;
            }
        }
    }

    private MessagePage? TakeIdle()
    {
        for (int i = 0; i < _idle.Length; i++)
        {
            MessagePage? page = Volatile.Read(ref _idle[i]);
            if (page is not null && Interlocked.CompareExchange(ref _idle[i], null, page) == page)
            {
                return page;
            }
        }

        return null;
    }
}
