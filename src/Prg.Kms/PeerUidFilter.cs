// The --allow-uid check: a connection on the Unix socket is served only if the peer's uid (from
// SO_PEERCRED) is on the list. Anything whose credentials cannot be read is refused.
using Prg.Http;
using Prg.Logging;

namespace Prg.Kms;

/// <summary>Allow-list of peer uids for the key service's Unix socket.</summary>
public sealed class PeerUidFilter
{
    private readonly HashSet<uint> _allowed;
    private readonly Log _log;

    public PeerUidFilter(IEnumerable<uint> allowedUids, Log? log = null)
    {
        ArgumentNullException.ThrowIfNull(allowedUids);
        _allowed = [.. allowedUids];
        if (_allowed.Count == 0)
        {
            throw new ArgumentException("the allow-list needs at least one uid", nameof(allowedUids));
        }

        _log = log ?? Log.None;
    }

    public IReadOnlyCollection<uint> AllowedUids => _allowed;

    public bool Allows(uint uid) => _allowed.Contains(uid);

    /// <summary>The server's accept filter: true to serve the connection.</summary>
    public bool Accept(ConnectionInfo connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!PeerCredentials.TryGet(connection.Socket, out int pid, out uint uid, out _))
        {
            _log.Warn("refused a connection whose peer credentials cannot be read");
            return false;
        }

        if (Allows(uid))
        {
            return true;
        }

        _log.Warn("refused a connection from a uid not in --allow-uid",
            LogField.Text("uid", uid.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            LogField.Text("pid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return false;
    }
}
