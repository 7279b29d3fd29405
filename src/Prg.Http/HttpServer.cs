// Listens on TCP and/or Unix domain sockets and runs one HttpConnection per accepted socket; beyond
// MaxConnections open, or MaxConnectionsPerAddress from one IP, a new connection gets 503 and is closed.
// Stop: close the listeners, let idle connections go, wait (bounded) for in-flight requests.
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Prg.Http;

public sealed class HttpServer : IAsyncDisposable
{
    private static readonly byte[] s_busyResponse = Refusal("too many connections");
    private static readonly byte[] s_addressBusyResponse = Refusal("too many connections from this address");

    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _aborted = new();
    private readonly List<string> _socketFiles = [];
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly PeerWatch _peerWatch = new();
    private long _nextConnectionId;
    private int _stopped;

    public HttpServer(HttpServerOptions options, IHttpApplication application)
    {
        Options = options;
        Application = application;
    }

    public HttpServerOptions Options { get; }
    public IHttpApplication Application { get; }
    public HttpServerCounters Counters { get; } = new();

    /// <summary>Connections open right now.</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>The endpoints actually bound (port 0 resolved to the real port).</summary>
    public IReadOnlyList<EndPoint> BoundEndPoints => _listeners.Select(l => l.LocalEndPoint!).ToList();

    internal CancellationToken StoppingToken => _stopping.Token;
    internal CancellationToken AbortedToken => _aborted.Token;
    internal bool IsStopping => _stopping.IsCancellationRequested;
    internal PeerWatch PeerWatch => _peerWatch;

    /// <summary>Binds every endpoint (throwing if one cannot be bound) and starts accepting.</summary>
    public void Start()
    {
        if (Options.EndPoints.Count == 0)
        {
            throw new InvalidOperationException("no endpoint to listen on");
        }
        foreach (var endPoint in Options.EndPoints)
        {
            _listeners.Add(Bind(endPoint));
        }
        foreach (var listener in _listeners)
        {
            _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(listener)));
        }
    }

    private Socket Bind(EndPoint endPoint)
    {
        if (endPoint is UnixDomainSocketEndPoint unix)
        {
            var path = unix.ToString();
            RemoveStaleSocketFile(path);
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            if (Options.UnixSocketMode is { } mode)
            {
                ProcessUmask.With(mode, () => socket.Bind(endPoint));
                File.SetUnixFileMode(path, mode); // exact mode, whatever the umask removed on top
            }
            else
            {
                socket.Bind(endPoint);
            }
            _socketFiles.Add(path);
            socket.Listen(512);
            return socket;
        }
        var tcp = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // SO_REUSEADDR alone (restart while old connections sit in TIME_WAIT). .NET's ReuseAddress
        // option also sets SO_REUSEPORT on Linux, which would let a second server share the port.
        tcp.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            tcp.DualMode = true;
        }
        tcp.Bind(endPoint);
        tcp.Listen(512);
        return tcp;
    }

    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    private static void RemoveStaleSocketFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new IOException($"cannot listen on {path}: a directory is in the way");
        }
        if (!File.Exists(path))
        {
            return;
        }
        // Only a leftover socket is removed; any other file at that path is someone else's, and a
        // socket that still accepts connections belongs to a running server.
        if (!IsSocketFile(path))
        {
            throw new IOException($"cannot listen on {path}: a file that is not a socket is in the way");
        }
        if (IsListening(path))
        {
            throw new IOException($"cannot listen on {path}: another server is listening on it");
        }
        File.Delete(path);
    }

    private static bool IsListening(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool IsSocketFile(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read);
            return false;
        }
        catch (IOException)
        {
            return true; // open(2) on a socket fails with ENXIO
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // e.g. the client reset before we accepted; keep serving
            }

            if (socket.AddressFamily != AddressFamily.Unix)
            {
                socket.NoDelay = true;
            }
            if (_connections.Count >= Options.MaxConnections)
            {
                Counters.CountRefusedAtCapacity();
                Refuse(socket, s_busyResponse);
                continue;
            }
            var id = Interlocked.Increment(ref _nextConnectionId);
            var info = new ConnectionInfo(socket, id);
            if (!TryCountAddress(info.RemoteAddress))
            {
                Counters.CountRefusedPerAddress();
                Refuse(socket, s_addressBusyResponse);
                continue;
            }
            // Registered before it can run, so a connection that ends at once cannot leave a stale
            // entry behind (stale entries would count against MaxConnections forever).
            var run = new Task<Task>(() => RunConnectionAsync(info));
            _connections[id] = run.Unwrap();
            run.Start(TaskScheduler.Default);
        }
    }

    // Unix-socket peers (no address) are not counted: the socket file's permissions govern them.
    private bool TryCountAddress(IPAddress? address)
    {
        if (address is null)
        {
            return true;
        }
        lock (_perAddress)
        {
            _perAddress.TryGetValue(address, out var open);
            if (open >= Options.MaxConnectionsPerAddress)
            {
                return false;
            }
            _perAddress[address] = open + 1;
            return true;
        }
    }

    private void UncountAddress(IPAddress? address)
    {
        if (address is null)
        {
            return;
        }
        lock (_perAddress)
        {
            var open = _perAddress[address] - 1;
            if (open == 0)
            {
                _perAddress.Remove(address);
            }
            else
            {
                _perAddress[address] = open;
            }
        }
    }

    private async Task RunConnectionAsync(ConnectionInfo info)
    {
        Stream? stream = null;
        try
        {
            stream = await OpenStreamAsync(info.Socket);
            if (stream is not null)
            {
                await new HttpConnection(this, info, stream).RunAsync();
            }
        }
        catch (Exception e)
        {
            Options.OnUnhandledException?.Invoke(e);
        }
        finally
        {
            stream?.Dispose();
            UncountAddress(info.RemoteAddress);
            _connections.TryRemove(info.Id, out _);
        }
    }

    private async Task<Stream?> OpenStreamAsync(Socket socket)
    {
        if (Options.OpenStream is not { } open)
        {
            return new NetworkStream(socket, ownsSocket: false);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(Options.RequestTimeout);
        try
        {
            return await open(socket, timeout.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            socket.Dispose(); // a failed handshake (no or bad client certificate, TLS 1.2, timeout)
            return null;
        }
    }

    private static byte[] Refusal(string message)
    {
        var body = $"{{\"error\":\"{message}\"}}";
        return Encoding.ASCII.GetBytes(
            $"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");
    }

    private static void Refuse(Socket socket, byte[] response)
    {
        try
        {
            socket.Send(response, SocketFlags.None);
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>
    /// Stops accepting, closes idle connections, and waits up to <paramref name="drainTimeout"/> for
    /// in-flight requests to be answered; whatever is left after that is aborted.
    /// </summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        _stopping.Cancel();
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }
        await Task.WhenAll(_acceptLoops);
        foreach (var path in _socketFiles)
        {
            File.Delete(path);
        }
        var drained = Task.WhenAll(_connections.Values);
        if (await Task.WhenAny(drained, Task.Delay(drainTimeout)) != drained)
        {
            _aborted.Cancel();
            await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(2)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5));
        _peerWatch.Dispose();
        _stopping.Dispose();
        _aborted.Dispose();
    }
}
