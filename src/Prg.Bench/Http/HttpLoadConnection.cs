// The state of one load generator connection: its socket, receive and send buffers, the requests in
// flight (kind and start time, oldest first) and, in open-loop runs, when the next request is due.
using System.Net.Sockets;

namespace Prg.Bench;

internal sealed class HttpLoadConnection
{
    public const int ReceiveBufferSize = 64 * 1024;

    private readonly long[] _startTimes;
    private readonly RequestKind[] _kinds;
    private int _head;

    public HttpLoadConnection(int id, int index, int pipeline, int maxRequestLength)
    {
        Id = id;
        Index = index;
        _startTimes = new long[pipeline];
        _kinds = new RequestKind[pipeline];
        SendBuffer = new byte[pipeline * maxRequestLength];
    }

    /// <summary>Number across the whole run (spreads connections over the mix and the chat threads).</summary>
    public int Id { get; }

    /// <summary>Position in the owning worker's list (the epoll data).</summary>
    public int Index { get; }

    public Socket? Socket { get; set; }

    public int Fd { get; set; } = -1;

    public byte[] ReceiveBuffer { get; } = new byte[ReceiveBufferSize];

    public int ReceiveStart { get; set; }

    public int ReceiveEnd { get; set; }

    /// <summary>Body bytes of the current response still to skip; -1 while reading a head.</summary>
    public long BodyRemaining { get; set; } = -1;

    public int CurrentStatus { get; set; }

    public bool CloseAfterResponse { get; set; }

    public byte[] SendBuffer { get; }

    public int SendStart { get; set; }

    public int SendEnd { get; set; }

    /// <summary>EPOLLOUT is registered because a send did not complete.</summary>
    public bool WaitingToWrite { get; set; }

    /// <summary>Requests sent by this connection so far (drives the mix and thread rotation).</summary>
    public long Sequence { get; set; }

    /// <summary>Open loop: the intended start of the next request (Stopwatch ticks).</summary>
    public long NextDue { get; set; }

    /// <summary>When a disconnected connection next tries to reconnect (Stopwatch ticks).</summary>
    public long RetryAt { get; set; }

    public int Capacity => _kinds.Length;

    public int InFlight { get; private set; }

    public bool IsConnected => Socket is not null;

    public void Push(RequestKind kind, long startTimestamp)
    {
        int slot = (_head + InFlight) % _kinds.Length;
        _kinds[slot] = kind;
        _startTimes[slot] = startTimestamp;
        InFlight++;
    }

    public (RequestKind Kind, long Start) Pop()
    {
        (RequestKind, long) oldest = (_kinds[_head], _startTimes[_head]);
        _head = (_head + 1) % _kinds.Length;
        InFlight--;
        return oldest;
    }

    /// <summary>Forgets the connection's in-flight requests and buffers (after it was dropped).</summary>
    public void Reset()
    {
        _head = 0;
        InFlight = 0;
        ReceiveStart = ReceiveEnd = 0;
        SendStart = SendEnd = 0;
        BodyRemaining = -1;
        CloseAfterResponse = false;
        WaitingToWrite = false;
    }
}
