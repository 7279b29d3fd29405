// The --allow-uid logic: SO_PEERCRED reads the real peer uid of a Unix socket connection; the
// current uid passes a list that holds it and is refused by a list that does not, end to end too.
using System.Net.Sockets;
using Prg.Http;

namespace Prg.Kms.Tests;

public sealed class PeerUidTests
{
    private static uint CurrentUid()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return uint.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<(Socket Server, Socket Client, Socket Listener)> ConnectedPairAsync(string path)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path));
        Socket server = await listener.AcceptAsync();
        return (server, client, listener);
    }

    [Fact]
    public async Task PeerCredentials_ReadTheConnectingProcess()
    {
        using var dir = new TempDir();
        (Socket server, Socket client, Socket listener) = await ConnectedPairAsync(dir.File("p.sock"));
        using (server)
        using (client)
        using (listener)
        {
            Assert.True(PeerCredentials.TryGet(server, out int pid, out uint uid, out _));
            Assert.Equal(Environment.ProcessId, pid);
            Assert.Equal(CurrentUid(), uid);
        }
    }

    [Fact]
    public async Task Filter_AllowsAListedUid_AndRefusesOthers()
    {
        using var dir = new TempDir();
        (Socket server, Socket client, Socket listener) = await ConnectedPairAsync(dir.File("p.sock"));
        using (server)
        using (client)
        using (listener)
        {
            var connection = new ConnectionInfo(server, 1);
            uint me = CurrentUid();
            Assert.True(new PeerUidFilter([me, me + 1]).Accept(connection));
            Assert.False(new PeerUidFilter([me + 1, me + 2]).Accept(connection));
        }
    }

    [Fact]
    public void Filter_RefusesATcpConnectionItCannotCheck()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.False(PeerCredentials.TryGet(socket, out _, out _, out _));
    }

    [Fact]
    public async Task Service_WithAnAllowListWithoutUs_ClosesOurConnectionUnanswered()
    {
        uint me = CurrentUid();
        await using KmsHarness refused = await KmsHarness.StartAsync(allowUids: [me + 1]);
        (int status, _) = await refused.SendRawAsync("GET /healthz HTTP/1.1\r\nHost: k\r\nConnection: close\r\n\r\n"u8.ToArray());
        Assert.Equal(0, status);

        await using KmsHarness allowed = await KmsHarness.StartAsync(allowUids: [me]);
        (int ok, _) = await allowed.SendRawAsync("GET /healthz HTTP/1.1\r\nHost: k\r\nConnection: close\r\n\r\n"u8.ToArray());
        Assert.Equal(200, ok);
    }
}
