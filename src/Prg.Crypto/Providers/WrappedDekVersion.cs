// One version of a thread's DEK as stored: the wrapped frame plus which KEK (id and version)
// wrapped it, so unwrapping can pick the right master key after a KEK rotation.
namespace Prg.Crypto;

/// <summary>A wrapped DEK version: <c>dek_version</c>, the 65-byte wrapped frame, <c>kek_id</c>, <c>kek_version</c>.</summary>
public sealed class WrappedDekVersion
{
    private readonly byte[] _wrappedDek;

    /// <exception cref="ArgumentException">
    /// The DEK version is 0, the KEK id is empty, the frame is not a wrapped DEK frame, or the frame's
    /// KEK version differs from <paramref name="kekVersion"/>.
    /// </exception>
    public WrappedDekVersion(uint dekVersion, ReadOnlySpan<byte> wrappedDek, string kekId, uint kekVersion)
    {
        ArgumentOutOfRangeException.ThrowIfZero(dekVersion);
        ArgumentException.ThrowIfNullOrEmpty(kekId);
        if (!WrappedDekFrame.TryReadKekVersion(wrappedDek, out uint frameKekVersion))
        {
            throw new ArgumentException($"wrapped DEK must be a {WrappedDekFrame.Length}-byte wrapped DEK frame", nameof(wrappedDek));
        }

        if (frameKekVersion != kekVersion)
        {
            throw new ArgumentException(
                $"wrapped DEK frame records kek_version {frameKekVersion} but kek_version {kekVersion} was given", nameof(kekVersion));
        }

        DekVersion = dekVersion;
        _wrappedDek = wrappedDek.ToArray();
        KekId = kekId;
        KekVersion = kekVersion;
    }

    public uint DekVersion { get; }

    /// <summary>The wrapped DEK frame (<see cref="WrappedDekFrame"/>); base64 in JSON.</summary>
    public ReadOnlyMemory<byte> WrappedDek => _wrappedDek;

    public string KekId { get; }

    public uint KekVersion { get; }
}
