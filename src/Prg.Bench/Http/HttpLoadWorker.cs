// One load generator thread: an epoll loop over its share of the connections, like a wrk thread.
// Closed loop: every connection keeps --pipeline requests in flight. Open loop (--rate): requests
// are due on a fixed schedule and their latency counts from when they were due, so a server that
// falls behind is charged for the queueing it causes (no coordinated omission).
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Prg.Http;

namespace Prg.Bench;

internal sealed class HttpLoadWorker : IDisposable
{
    private static readonly long s_reconnectDelay = Stopwatch.Frequency / 10;

    private readonly EndPoint _target;
    private readonly RequestTemplates _templates;
    private readonly RequestKind[] _cycle;
    private readonly HttpLoadConnection[] _connections;
    private readonly long _interval;
    private readonly Epoll _epoll;
    private long _deadline;
    private long _completed;
    private int _disconnected;
    private volatile bool _stopRequested;

    /// <param name="firstId">Run-wide id of this worker's first connection.</param>
    /// <param name="intervalTicks">Open loop: ticks between requests on one connection; 0 for a closed loop.</param>
    public HttpLoadWorker(EndPoint target, RequestTemplates templates, RequestKind[] cycle, int firstId, int connections, int pipeline, long intervalTicks)
    {
        _target = target;
        _templates = templates;
        _cycle = cycle;
        _interval = intervalTicks;
        _connections = new HttpLoadConnection[connections];
        int maxRequest = templates.MaxRequestLength;
        for (int i = 0; i < connections; i++)
        {
            _connections[i] = new HttpLoadConnection(firstId + i, i, pipeline, maxRequest);
        }

        _epoll = new Epoll(Math.Max(16, connections));
    }

    public HttpLoadStats Stats { get; } = new();

    /// <summary>Responses received so far (read by the progress line from another thread).</summary>
    public long Completed => Volatile.Read(ref _completed);

    /// <summary>Ends <see cref="Run"/> at its next loop turn (within 100 ms); safe from any thread.</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Opens every connection (before the clock starts).</summary>
    /// <exception cref="SocketException">A connection could not be opened.</exception>
    public void ConnectAll()
    {
        foreach (HttpLoadConnection connection in _connections)
        {
            Connect(connection);
        }
    }

    /// <summary>Runs the loop from <paramref name="start"/> to <paramref name="deadline"/> (Stopwatch ticks).</summary>
    public void Run(long start, long deadline)
    {
        _deadline = deadline;
        while (Stopwatch.GetTimestamp() < start && !_stopRequested)
        {
            Thread.SpinWait(64);
        }

        foreach (HttpLoadConnection connection in _connections)
        {
            // Staggered so an open-loop run does not send every connection's request at once.
            connection.NextDue = start + (_interval * connection.Id / Math.Max(1, _connections.Length));
            Fill(connection, start);
        }

        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            if (now >= deadline || _stopRequested)
            {
                break;
            }

            long wake = deadline;
            if (_disconnected > 0)
            {
                wake = Math.Min(wake, Reconnect(now));
            }

            if (_interval > 0)
            {
                foreach (HttpLoadConnection connection in _connections)
                {
                    if (connection.IsConnected)
                    {
                        Fill(connection, now);
                        if (connection.InFlight < connection.Capacity)
                        {
                            wake = Math.Min(wake, connection.NextDue);
                        }
                    }
                }
            }

            long timeout = Math.Max(0, LatencyHistogram.TicksToNanoseconds(wake - now));
            int ready = _epoll.Wait(Math.Min(timeout, 100_000_000));
            for (int i = 0; i < ready; i++)
            {
                (uint events, ulong data) = _epoll.GetEvent(i);
                HttpLoadConnection connection = _connections[(int)data];
                if (!connection.IsConnected)
                {
                    continue;
                }

                if ((events & Epoll.Out) != 0)
                {
                    Flush(connection);
                }

                if (connection.IsConnected && (events & (Epoll.In | Epoll.Error | Epoll.HangUp | Epoll.ReadHangUp)) != 0)
                {
                    Receive(connection);
                }
            }
        }

        foreach (HttpLoadConnection connection in _connections)
        {
            Close(connection);
        }
    }

    public void Dispose()
    {
        foreach (HttpLoadConnection connection in _connections)
        {
            connection.Socket?.Dispose();
            connection.Socket = null;
        }

        _epoll.Dispose();
    }

    private void Connect(HttpLoadConnection connection)
    {
        var socket = new Socket(_target.AddressFamily == AddressFamily.Unspecified ? AddressFamily.InterNetwork : _target.AddressFamily,
            SocketType.Stream, _target is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
        try
        {
            socket.Connect(_target);
            if (_target is not UnixDomainSocketEndPoint)
            {
                socket.NoDelay = true;
            }

            socket.Blocking = false;
            connection.Fd = (int)socket.Handle;
            _epoll.Add(connection.Fd, Epoll.In | Epoll.ReadHangUp, (ulong)connection.Index);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        connection.Reset();
        connection.Socket = socket;
    }

    /// <summary>Queues what the connection may send now and sends it.</summary>
    private void Fill(HttpLoadConnection connection, long now)
    {
        bool added = false;
        while (connection.InFlight < connection.Capacity)
        {
            long start;
            if (_interval > 0)
            {
                if (connection.NextDue > now)
                {
                    break;
                }

                start = connection.NextDue;
                connection.NextDue += _interval;
            }
            else
            {
                start = now;
            }

            long sequence = connection.Sequence++;
            RequestKind kind = _cycle[(int)((sequence + connection.Id) % _cycle.Length)];
            int thread = _templates.ThreadCount == 0 ? 0 : (int)((connection.Id + sequence) % _templates.ThreadCount);
            byte[] request = _templates.Get(kind, thread);
            if (connection.SendEnd + request.Length > connection.SendBuffer.Length)
            {
                // Only bytes of requests still in flight are buffered; move them to the front.
                int pending = connection.SendEnd - connection.SendStart;
                Buffer.BlockCopy(connection.SendBuffer, connection.SendStart, connection.SendBuffer, 0, pending);
                connection.SendStart = 0;
                connection.SendEnd = pending;
            }

            request.CopyTo(connection.SendBuffer, connection.SendEnd);
            connection.SendEnd += request.Length;
            connection.Push(kind, start);
            added = true;
        }

        if (added && !connection.WaitingToWrite)
        {
            Flush(connection);
        }
    }

    private void Flush(HttpLoadConnection connection)
    {
        Socket socket = connection.Socket!;
        while (connection.SendStart < connection.SendEnd)
        {
            int sent = socket.Send(connection.SendBuffer.AsSpan(connection.SendStart, connection.SendEnd - connection.SendStart), SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                if (!connection.WaitingToWrite)
                {
                    connection.WaitingToWrite = true;
                    _epoll.Modify(connection.Fd, Epoll.In | Epoll.ReadHangUp | Epoll.Out, (ulong)connection.Index);
                }

                return;
            }

            if (error != SocketError.Success)
            {
                Drop(connection, "send failed: " + error);
                return;
            }

            connection.SendStart += sent;
        }

        connection.SendStart = connection.SendEnd = 0;
        if (connection.WaitingToWrite)
        {
            connection.WaitingToWrite = false;
            _epoll.Modify(connection.Fd, Epoll.In | Epoll.ReadHangUp, (ulong)connection.Index);
        }
    }

    private void Receive(HttpLoadConnection connection)
    {
        Socket socket = connection.Socket!;
        while (true)
        {
            if (connection.ReceiveEnd == connection.ReceiveBuffer.Length)
            {
                // Full: keep only the unparsed tail (a head never exceeds HttpResponseParser.MaxHeadLength).
                int unparsed = connection.ReceiveEnd - connection.ReceiveStart;
                Buffer.BlockCopy(connection.ReceiveBuffer, connection.ReceiveStart, connection.ReceiveBuffer, 0, unparsed);
                connection.ReceiveStart = 0;
                connection.ReceiveEnd = unparsed;
            }

            int space = connection.ReceiveBuffer.Length - connection.ReceiveEnd;
            int received = socket.Receive(connection.ReceiveBuffer.AsSpan(connection.ReceiveEnd, space), SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                return;
            }

            if (error != SocketError.Success || received == 0)
            {
                Drop(connection, error == SocketError.Success ? "connection closed by the server" : "receive failed: " + error);
                return;
            }

            connection.ReceiveEnd += received;
            if (!Parse(connection, Stopwatch.GetTimestamp()))
            {
                return;
            }

            if (connection.ReceiveStart == connection.ReceiveEnd)
            {
                connection.ReceiveStart = connection.ReceiveEnd = 0;
            }

            if (received < space)
            {
                return; // level-triggered: epoll reports the socket again if more is waiting
            }
        }
    }

    /// <summary>Consumes every complete response in the buffer; false if the connection was dropped.</summary>
    private bool Parse(HttpLoadConnection connection, long now)
    {
        while (true)
        {
            if (connection.BodyRemaining >= 0)
            {
                long skip = Math.Min(connection.BodyRemaining, connection.ReceiveEnd - connection.ReceiveStart);
                connection.ReceiveStart += (int)skip;
                connection.BodyRemaining -= skip;
                if (connection.BodyRemaining > 0)
                {
                    return true;
                }

                connection.BodyRemaining = -1;
                if (!Complete(connection, now))
                {
                    return false;
                }

                continue;
            }

            if (connection.ReceiveStart == connection.ReceiveEnd)
            {
                return true;
            }

            ReadOnlySpan<byte> pending = connection.ReceiveBuffer.AsSpan(connection.ReceiveStart, connection.ReceiveEnd - connection.ReceiveStart);
            switch (HttpResponseParser.TryParseHead(pending, out HttpResponseHead head, out string? error))
            {
                case HttpResponseParser.Result.Incomplete:
                    return true;
                case HttpResponseParser.Result.Invalid:
                    Drop(connection, "bad response: " + error);
                    return false;
            }

            if (connection.InFlight == 0)
            {
                Drop(connection, "response without a request");
                return false;
            }

            connection.ReceiveStart += head.HeadLength;
            connection.CurrentStatus = head.Status;
            connection.CloseAfterResponse = head.Close;
            connection.BodyRemaining = head.ContentLength;
        }
    }

    private bool Complete(HttpLoadConnection connection, long now)
    {
        (RequestKind kind, long start) = connection.Pop();
        if (now <= _deadline)
        {
            Stats.Latency[(int)kind].Record(LatencyHistogram.TicksToNanoseconds(now - start));
            Stats.Statuses[(int)kind][Math.Clamp(connection.CurrentStatus, 0, HttpLoadStats.MaxStatus - 1)]++;
            Volatile.Write(ref _completed, _completed + 1);
        }

        if (connection.CloseAfterResponse)
        {
            Drop(connection, "server closed the connection after a response");
            return false;
        }

        Fill(connection, now);
        return connection.IsConnected;
    }

    /// <summary>Counts the connection's in-flight requests as lost and schedules a reconnect.</summary>
    private void Drop(HttpLoadConnection connection, string reason)
    {
        if (Stopwatch.GetTimestamp() <= _deadline)
        {
            Stats.CountTransportError(reason, connection.InFlight);
        }

        Close(connection);
        connection.Reset();
        connection.RetryAt = Stopwatch.GetTimestamp();
        _disconnected++;
    }

    private void Close(HttpLoadConnection connection)
    {
        if (connection.Socket is { } socket)
        {
            _epoll.Remove(connection.Fd);
            socket.Dispose();
            connection.Socket = null;
            connection.Fd = -1;
        }
    }

    /// <summary>Reconnects dropped connections whose retry time has come; returns the next retry time.</summary>
    private long Reconnect(long now)
    {
        long next = long.MaxValue;
        foreach (HttpLoadConnection connection in _connections)
        {
            if (connection.IsConnected)
            {
                continue;
            }

            if (connection.RetryAt > now)
            {
                next = Math.Min(next, connection.RetryAt);
                continue;
            }

            try
            {
                Connect(connection);
                _disconnected--;
                Stats.Reconnects++;

                // An open loop does not catch up on requests that fell due while disconnected.
                connection.NextDue = Math.Max(connection.NextDue, now);
                Fill(connection, now);
            }
            catch (SocketException e)
            {
                Stats.CountTransportError("connect failed: " + e.SocketErrorCode, 1);
                connection.RetryAt = now + s_reconnectDelay;
                next = Math.Min(next, connection.RetryAt);
            }
        }

        return next;
    }
}
