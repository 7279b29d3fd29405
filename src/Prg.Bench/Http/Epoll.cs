// Linux epoll through source-generated P/Invoke (AOT-clean): each load generator thread waits on
// its own connections' readiness the way wrk does, with no thread pool hop per response.
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Prg.Bench;

/// <summary>One epoll instance. Not thread-safe: owned by one load generator thread.</summary>
internal sealed unsafe partial class Epoll : IDisposable
{
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint Error = 0x008;
    public const uint HangUp = 0x010;
    public const uint ReadHangUp = 0x2000;

    private const int CtlAdd = 1;
    private const int CtlDel = 2;
    private const int CtlMod = 3;
    private const int CloseOnExec = 0x80000;
    private const int EIntr = 4;
    private const int ENoSys = 38;

    // x86-64 packs struct epoll_event to 12 bytes; other architectures align the data field to 8.
    private static readonly int s_eventSize = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;
    private static readonly int s_dataOffset = s_eventSize == 12 ? 4 : 8;
    private static bool s_noPwait2;

    private readonly int _fd;
    private readonly byte[] _events;
    private bool _disposed;

    public Epoll(int maxEvents)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        _fd = epoll_create1(CloseOnExec);
        if (_fd < 0)
        {
            throw new IOException($"epoll_create1 failed (errno {Marshal.GetLastPInvokeError()})");
        }

        _events = new byte[maxEvents * s_eventSize];
    }

    public void Add(int fd, uint events, ulong data) => Control(CtlAdd, fd, events, data);

    public void Modify(int fd, uint events, ulong data) => Control(CtlMod, fd, events, data);

    public void Remove(int fd) => Control(CtlDel, fd, 0, 0);

    /// <summary>Waits up to <paramref name="timeoutNanoseconds"/> (0 = poll, negative = forever); returns the ready count.</summary>
    public int Wait(long timeoutNanoseconds)
    {
        fixed (byte* events = _events)
        {
            int maxEvents = _events.Length / s_eventSize;
            int count;
            if (!s_noPwait2 && timeoutNanoseconds >= 0)
            {
                // epoll_pwait2 takes a timespec: an open-loop schedule needs sub-millisecond waits.
                long* timeout = stackalloc long[2];
                timeout[0] = timeoutNanoseconds / 1_000_000_000;
                timeout[1] = timeoutNanoseconds % 1_000_000_000;
                try
                {
                    count = epoll_pwait2(_fd, events, maxEvents, timeout, null);
                }
                catch (EntryPointNotFoundException)
                {
                    s_noPwait2 = true;
                    return Wait(timeoutNanoseconds);
                }

                if (count < 0 && Marshal.GetLastPInvokeError() == ENoSys)
                {
                    s_noPwait2 = true;
                    return Wait(timeoutNanoseconds);
                }
            }
            else
            {
                int milliseconds = timeoutNanoseconds < 0 ? -1 : (int)Math.Min(int.MaxValue, (timeoutNanoseconds + 999_999) / 1_000_000);
                count = epoll_wait(_fd, events, maxEvents, milliseconds);
            }

            if (count < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                return errno == EIntr ? 0 : throw new IOException($"epoll_wait failed (errno {errno})");
            }

            return count;
        }
    }

    /// <summary>The ready events and registered data of the <paramref name="index"/>th result of the last <see cref="Wait"/>.</summary>
    public (uint Events, ulong Data) GetEvent(int index)
    {
        ReadOnlySpan<byte> entry = _events.AsSpan(index * s_eventSize, s_eventSize);
        return (BinaryPrimitives.ReadUInt32LittleEndian(entry), BinaryPrimitives.ReadUInt64LittleEndian(entry[s_dataOffset..]));
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _ = close(_fd);
        }
    }

    private void Control(int operation, int fd, uint events, ulong data)
    {
        byte* entry = stackalloc byte[16];
        var span = new Span<byte>(entry, 16);
        span.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(span, events);
        BinaryPrimitives.WriteUInt64LittleEndian(span[s_dataOffset..], data);
        if (epoll_ctl(_fd, operation, fd, entry) < 0)
        {
            throw new IOException($"epoll_ctl({operation}) on fd {fd} failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int op, int fd, byte* @event);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_pwait2(int epfd, byte* events, int maxevents, long* timeout, void* sigmask);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
