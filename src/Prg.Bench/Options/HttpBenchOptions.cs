// Options of `prg bench http`.
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Prg.Bench;

/// <summary>What <see cref="HttpBench"/> sends, where, and how hard.</summary>
public sealed class HttpBenchOptions
{
    public const string Command = "bench http";

    /// <summary>A JSON body of <c>{"body":{"text":""}}</c> is 20 bytes: the smallest --body-size.</summary>
    public const int MinBodySize = 20;

    public const int MaxBodySize = 1 << 20;

    public static readonly string[] ValuedOptions =
    [
        "url", "unix", "api-key", "user", "signature", "connections", "seconds", "rate", "mix", "body-size",
        "pipeline", "threads", "chat-threads", "seed-messages", "json",
    ];

    /// <summary>Where to connect: an <see cref="IPEndPoint"/>, <see cref="DnsEndPoint"/> or <see cref="UnixDomainSocketEndPoint"/>.</summary>
    public required EndPoint Target { get; init; }

    /// <summary>The target as given (for the report).</summary>
    public required string TargetDisplay { get; init; }

    /// <summary>The Host header value.</summary>
    public required string Host { get; init; }

    public required string ApiKey { get; init; }

    public string User { get; init; } = "bench";

    /// <summary>X-User-Signature for frontend keys; null with a backend key.</summary>
    public string? Signature { get; init; }

    public int Connections { get; init; } = 64;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Total requests per second across all connections (open loop), or 0 for a closed loop.</summary>
    public double Rate { get; init; }

    public RequestMix Mix { get; init; } = new(1, 1, 0);

    /// <summary>Bytes of each message POST's JSON body.</summary>
    public int BodySize { get; init; } = 200;

    /// <summary>Requests in flight per connection.</summary>
    public int Pipeline { get; init; } = 1;

    /// <summary>Load generator threads (each runs an epoll loop over its share of the connections).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Chat threads created before the run for posts and reads.</summary>
    public int ChatThreads { get; init; } = 64;

    /// <summary>Messages posted to each chat thread before the run when the mix reads pages.</summary>
    public int SeedMessages { get; init; } = 50;

    /// <exception cref="BenchOptionException">A value is missing, malformed or out of range.</exception>
    public static HttpBenchOptions Parse(OptionReader options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? url = options.GetString("url");
        string? unix = options.GetString("unix");
        if (url is not null && unix is not null)
        {
            throw options.Error("give either --url or --unix, not both");
        }

        EndPoint target;
        string host;
        string display;
        if (unix is not null)
        {
            if (unix.Length == 0 || unix.Length > 107)
            {
                throw options.Error($"--unix '{unix}' must be a socket path of 1 to 107 characters");
            }

            target = new UnixDomainSocketEndPoint(unix);
            host = "localhost";
            display = "unix:" + unix;
        }
        else
        {
            (target, host) = ParseUrl(options, url ?? "http://127.0.0.1:8080");
            display = url ?? "http://127.0.0.1:8080";
        }

        string apiKey = options.GetRequiredString("api-key", "a backend API key of the server, e.g. --api-key $KEY");
        CheckHeaderValue(options, "api-key", apiKey);
        string user = options.GetString("user") ?? "bench";
        if (user.Length is 0 or > 128)
        {
            throw options.Error($"--user must be 1 to 128 characters");
        }

        CheckHeaderValue(options, "user", user);
        string? signature = options.GetString("signature");
        if (signature is not null)
        {
            CheckHeaderValue(options, "signature", signature);
        }

        RequestMix mix;
        try
        {
            mix = options.GetString("mix") is { } mixText ? RequestMix.Parse(mixText) : new RequestMix(1, 1, 0);
        }
        catch (FormatException e)
        {
            throw options.Error($"--mix: {e.Message} (e.g. --mix post=1,get=1,create=0)");
        }

        int connections = options.GetInt("connections", 64, 1, 10_000);
        int threads = options.GetInt("threads", 1, 1, 256);
        if (threads > connections)
        {
            throw options.Error($"--threads {threads.ToString(CultureInfo.InvariantCulture)} is more than --connections {connections.ToString(CultureInfo.InvariantCulture)}");
        }

        return new HttpBenchOptions
        {
            Target = target,
            TargetDisplay = display,
            Host = host,
            ApiKey = apiKey,
            User = user,
            Signature = signature,
            Connections = connections,
            Duration = TimeSpan.FromSeconds(options.GetDouble("seconds", 10, 0.1, 86_400)),
            Rate = options.GetDouble("rate", 0, 0, 10_000_000),
            Mix = mix,
            BodySize = options.GetInt("body-size", 200, MinBodySize, MaxBodySize),
            Pipeline = options.GetInt("pipeline", 1, 1, 1024),
            Threads = threads,
            ChatThreads = options.GetInt("chat-threads", Math.Min(connections, 64), 1, 10_000),
            SeedMessages = options.GetInt("seed-messages", 50, 0, 10_000),
        };
    }

    private static (EndPoint Target, string Host) ParseUrl(OptionReader options, string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw options.Error($"--url '{url}' must be http://HOST:PORT (https is not supported; use --unix for a Unix socket)");
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw options.Error($"--url '{url}' must be just http://HOST:PORT, without a path or query");
        }

        string host = uri.IdnHost;
        EndPoint target = IPAddress.TryParse(host, out IPAddress? address)
            ? new IPEndPoint(address, uri.Port)
            : new DnsEndPoint(host, uri.Port);
        return (target, uri.IsDefaultPort ? uri.Host : uri.Authority);
    }

    private static void CheckHeaderValue(OptionReader options, string name, string value)
    {
        foreach (char c in value)
        {
            if (c < 0x20 || c >= 0x7f)
            {
                throw options.Error($"--{name} must be printable ASCII (it is sent in a header)");
            }
        }
    }
}
