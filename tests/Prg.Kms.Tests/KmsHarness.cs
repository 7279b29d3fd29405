// Starts a real key service on a Unix socket in a temp directory, with a fresh 0600 master key, and
// talks raw HTTP/1.1 to it; can stop and restart it on the same data directory.
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Prg.Crypto;

namespace Prg.Kms.Tests;

internal sealed class KmsHarness : IAsyncDisposable
{
    private readonly TempDir _dir = new();

    private KmsHarness()
    {
        MasterKeyFile = _dir.File("master.key");
        KeyFile.WriteNew(MasterKeyFile);
    }

    public KmsService Service { get; private set; } = null!;

    public string MasterKeyFile { get; }

    public string SocketPath => _dir.File("kms.sock");

    public string DataDir => _dir.File("data");

    public string Endpoint => "unix:" + SocketPath;

    public TempDir Dir => _dir;

    public static async Task<KmsHarness> StartAsync(long maxBodyBytes = KmsServiceOptions.DefaultMaxBodyBytes, IReadOnlyList<uint>? allowUids = null)
    {
        var harness = new KmsHarness();
        await harness.RestartAsync(maxBodyBytes: maxBodyBytes, allowUids: allowUids);
        return harness;
    }

    public KmsServiceOptions Options(string? masterKeyFile = null, IReadOnlyList<string>? previous = null, long maxBodyBytes = KmsServiceOptions.DefaultMaxBodyBytes, IReadOnlyList<uint>? allowUids = null) => new()
    {
        SocketPath = SocketPath,
        DataDirectory = DataDir,
        MasterKeyFile = masterKeyFile ?? MasterKeyFile,
        PreviousMasterKeyFiles = previous ?? [],
        MaxBodyBytes = maxBodyBytes,
        AllowedUids = allowUids ?? [],
        DrainTimeout = TimeSpan.FromSeconds(2),
    };

    public async Task RestartAsync(string? masterKeyFile = null, IReadOnlyList<string>? previous = null, long maxBodyBytes = KmsServiceOptions.DefaultMaxBodyBytes, IReadOnlyList<uint>? allowUids = null)
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }

        Service = null!;
        Service = await KmsService.StartAsync(Options(masterKeyFile, previous, maxBodyBytes, allowUids));
    }

    public async Task StopAsync()
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();
            Service = null!;
        }
    }

    public string NewKeyFile(string name)
    {
        string path = _dir.File(name);
        KeyFile.WriteNew(path);
        return path;
    }

    /// <summary>Sends one request (Connection: close) and returns the status and parsed JSON body.</summary>
    public async Task<(int Status, JsonElement Body)> SendAsync(string method, string target, string? json = null)
    {
        byte[] body = json is null ? [] : Encoding.UTF8.GetBytes(json);
        string head = $"{method} {target} HTTP/1.1\r\nHost: kms\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
        (int status, string text) = await SendRawAsync([.. Encoding.ASCII.GetBytes(head), .. body]);
        using JsonDocument document = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return (status, document.RootElement.Clone());
    }

    public Task<(int Status, JsonElement Body)> PostAsync(string path, string json) => SendAsync("POST", path, json);

    public async Task<(int Status, string Body)> SendRawAsync(byte[] request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        try
        {
            await socket.SendAsync(request, SocketFlags.None);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.Shutdown or SocketError.ConnectionReset)
        {
            // Refused before our request was even written (EPIPE): closed, no response.
            return (0, string.Empty);
        }
        var received = new MemoryStream();
        byte[] buffer = new byte[65536];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // A refused connection is closed with our request unread: a reset, and no response.
        }

        string text = Encoding.UTF8.GetString(received.ToArray());
        if (text.Length == 0)
        {
            return (0, string.Empty);
        }

        int status = int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        int bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        return (status, text[bodyStart..]);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _dir.Dispose();
    }
}
