// What a handler sees for one exchange: the request, the response it fills, route captures and
// the peer. One instance per connection, reset between requests.
using System.Net;

namespace Prg.Http;

public sealed class HttpContext : IDisposable
{
    public HttpContext(ConnectionInfo connection)
    {
        Connection = connection;
    }

    public HttpRequest Request { get; } = new();
    public HttpResponse Response { get; } = new();
    public ConnectionInfo Connection { get; }

    /// <summary>Values captured by the router's {param} segments, percent-decoded.</summary>
    public RouteValues RouteValues { get; } = new();

    /// <summary>Per-request slot for the application (e.g. the authenticated caller); cleared between requests.</summary>
    public object? Items { get; set; }

    /// <summary>Cancelled when the server is shutting down hard or the connection is gone.</summary>
    public CancellationToken Aborted { get; internal set; }

    /// <summary>Cancelled when the server starts a graceful stop: long-lived responses should end.</summary>
    public CancellationToken Stopping { get; internal set; }

    public IPAddress? RemoteAddress => Connection.RemoteAddress;

    /// <summary>The connection this context belongs to; null for contexts built outside a server (tests).</summary>
    internal HttpConnection? Owner { get; set; }

    /// <summary>
    /// Sends the response head now (status, Content-Type and headers set so far) and returns the stream
    /// the handler writes the body into while it runs; the connection closes once the handler returns.
    /// </summary>
    public ValueTask<ResponseStream> StartStreamingAsync() =>
        (Owner ?? throw new InvalidOperationException("Streaming needs a server connection.")).StartStreamAsync();

    internal void Reset()
    {
        Response.Reset();
        RouteValues.Clear();
        Items = null;
    }

    public void Dispose()
    {
        Request.Dispose();
        Response.Dispose();
    }
}
