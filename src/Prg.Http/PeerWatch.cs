// Notices clients that went away while their request is still being handled. A connection reads
// nothing while its handler runs, so a closed peer would go unseen until the response is written;
// instead, connections whose handler is still pending are checked a few times a second, and a peer
// that has closed (or reset) cancels its connection's token, stopping the work done for it (key-service
// calls included). As in Kestrel, a client that half-closes its side counts as gone.
using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Prg.Http;

internal sealed class PeerWatch : IDisposable
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<Watched, byte> _busy = new();
    private readonly Timer _timer;

    public PeerWatch()
    {
        _timer = new Timer(static s => ((PeerWatch)s!).Sweep(), this, s_interval, s_interval);
    }

    /// <summary>Watches <paramref name="socket"/> until the returned handle is disposed; cancels <paramref name="aborted"/> if its peer leaves.</summary>
    public Watched Watch(Socket socket, CancellationTokenSource aborted)
    {
        var watched = new Watched(this, socket, aborted);
        _busy.TryAdd(watched, 0);
        return watched;
    }

    private void Sweep()
    {
        foreach (var (watched, _) in _busy)
        {
            if (PeerHasClosed(watched.Socket))
            {
                _busy.TryRemove(watched, out _);
                try
                {
                    watched.Aborted.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The connection finished meanwhile.
                }
            }
        }
    }

    // Readable with nothing to read: the peer's FIN or RST. Data waiting (a pipelined request) is not a close.
    private static bool PeerHasClosed(Socket socket)
    {
        try
        {
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    public void Dispose() => _timer.Dispose();

    public sealed class Watched(PeerWatch owner, Socket socket, CancellationTokenSource aborted) : IDisposable
    {
        internal Socket Socket { get; } = socket;

        internal CancellationTokenSource Aborted { get; } = aborted;

        public void Dispose() => owner._busy.TryRemove(this, out _);
    }
}
