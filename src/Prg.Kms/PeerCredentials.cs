// Reads the credentials of the process at the other end of a Unix socket (SO_PEERCRED), as the
// kernel recorded them at connect time, so they cannot be forged by the peer.
using System.Buffers.Binary;
using System.Net.Sockets;

namespace Prg.Kms;

/// <summary>SO_PEERCRED on Linux: <c>struct ucred { pid_t pid; uid_t uid; gid_t gid; }</c>.</summary>
public static class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int UcredSize = 12;

    /// <summary>Reads the peer's pid, uid and gid; false if the socket is not a connected Unix socket.</summary>
    public static bool TryGet(Socket socket, out int pid, out uint uid, out uint gid)
    {
        ArgumentNullException.ThrowIfNull(socket);
        pid = 0;
        uid = 0;
        gid = 0;
        if (socket.AddressFamily != AddressFamily.Unix)
        {
            return false;
        }

        Span<byte> ucred = stackalloc byte[UcredSize];
        int length;
        try
        {
            length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }

        if (length != UcredSize)
        {
            return false;
        }

        pid = BinaryPrimitives.ReadInt32LittleEndian(ucred);
        uid = BinaryPrimitives.ReadUInt32LittleEndian(ucred[4..]);
        gid = BinaryPrimitives.ReadUInt32LittleEndian(ucred[8..]);
        return true;
    }
}
