// The master keys the embedded provider knows: the current KEK (with its kek_version) that wraps
// new DEKs, and previous KEKs, by kek_id, kept only so DEKs wrapped under them can be unwrapped
// and rewrapped during a KEK rotation.
using System.Security.Cryptography;

namespace Prg.Crypto;

/// <summary>
/// Current and previous master keys. Owns every key given to it and zeroes them on removal and on
/// <see cref="Dispose"/>. Thread-safe.
/// </summary>
/// <remarks>
/// The kek_version of the current key is the caller's to persist (the Api layer records it with
/// the rotation job): KEK lookup for unwrapping goes by kek_id, and the version is authenticated
/// through the wrapped frame's AAD, so previous keys need no version of their own.
/// </remarks>
public sealed class KeyRing : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, MasterKey> _previous = new(StringComparer.Ordinal);
    private MasterKey _current;
    private uint _currentVersion;
    private bool _disposed;

    /// <param name="current">The KEK that wraps new DEKs; the ring takes ownership.</param>
    /// <param name="currentKekVersion">Its version (at least 1).</param>
    public KeyRing(MasterKey current, uint currentKekVersion = 1)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentOutOfRangeException.ThrowIfZero(currentKekVersion);
        _current = current;
        _currentVersion = currentKekVersion;
    }

    public string CurrentKekId
    {
        get
        {
            lock (_lock)
            {
                ThrowIfDisposed();
                return _current.KekId;
            }
        }
    }

    public uint CurrentKekVersion
    {
        get
        {
            lock (_lock)
            {
                ThrowIfDisposed();
                return _currentVersion;
            }
        }
    }

    /// <summary>kek_ids of the previous keys still held.</summary>
    public IReadOnlyList<string> PreviousKekIds
    {
        get
        {
            lock (_lock)
            {
                ThrowIfDisposed();
                return [.. _previous.Keys];
            }
        }
    }

    /// <summary>Adds a previous key (e.g. the old key while a rotation job resumes after a restart); the ring takes ownership.</summary>
    /// <exception cref="ArgumentException">The key is the current key or already held.</exception>
    public void AddPrevious(MasterKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            ThrowIfDisposedOrHeld(key, nameof(key));
            _previous.Add(key.KekId, key);
        }
    }

    /// <summary>
    /// Makes <paramref name="newKey"/> current with the next kek_version; the old current key stays
    /// as a previous key until <see cref="RemovePrevious"/>. The ring takes ownership.
    /// </summary>
    /// <returns>The new current kek_version.</returns>
    /// <exception cref="ArgumentException">The key is already in the ring.</exception>
    public uint Rotate(MasterKey newKey)
    {
        ArgumentNullException.ThrowIfNull(newKey);
        lock (_lock)
        {
            ThrowIfDisposedOrHeld(newKey, nameof(newKey));
            if (_currentVersion == uint.MaxValue)
            {
                throw new InvalidOperationException("kek_version cannot grow any further");
            }

            _previous.Add(_current.KekId, _current);
            _current = newKey;
            _currentVersion++;
            return _currentVersion;
        }
    }

    /// <summary>Forgets (and zeroes) a previous key. Only do this once nothing is wrapped under it.</summary>
    /// <returns>False if no previous key has that kek_id.</returns>
    public bool RemovePrevious(string kekId)
    {
        ArgumentException.ThrowIfNullOrEmpty(kekId);
        lock (_lock)
        {
            ThrowIfDisposed();
            if (!_previous.Remove(kekId, out MasterKey? key))
            {
                return false;
            }

            key.Dispose();
            return true;
        }
    }

    /// <summary>True if the ring holds a key (current or previous) with this kek_id.</summary>
    public bool Contains(string kekId)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            return kekId == _current.KekId || _previous.ContainsKey(kekId);
        }
    }

    /// <summary>True if any version of the material is not wrapped under the current KEK and version.</summary>
    public bool NeedsRewrap(ThreadKeyMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        lock (_lock)
        {
            ThrowIfDisposed();
            foreach (WrappedDekVersion version in material.Versions)
            {
                if (!IsCurrentLocked(version))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Returns the material with every version wrapped under the current KEK (versions already
    /// current are kept as they are). Each new wrap is unwrapped again and compared with the DEK
    /// before it is accepted.
    /// </summary>
    /// <exception cref="UnknownKeyException">A version was wrapped under a KEK the ring does not hold.</exception>
    /// <exception cref="FrameAuthenticationException">A stored wrapped DEK does not authenticate.</exception>
    public ThreadKeyMaterial Rewrap(ThreadKeyMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        Span<byte> dek = stackalloc byte[MasterKey.KeyLength];
        Span<byte> check = stackalloc byte[MasterKey.KeyLength];
        Span<byte> frame = stackalloc byte[WrappedDekFrame.Length];
        lock (_lock)
        {
            ThrowIfDisposed();
            try
            {
                var versions = new List<WrappedDekVersion>(material.Versions.Count);
                foreach (WrappedDekVersion version in material.Versions)
                {
                    if (IsCurrentLocked(version))
                    {
                        versions.Add(version);
                        continue;
                    }

                    UnwrapLocked(material.KeyId, version, dek);
                    WrappedDekFrame.Wrap(_current, _currentVersion, material.KeyId, dek, frame);
                    WrappedDekFrame.Unwrap(_current, material.KeyId, frame, check);
                    if (!CryptographicOperations.FixedTimeEquals(dek, check))
                    {
                        throw new CryptoException($"rewrap of key {material.KeyId} version {version.DekVersion} did not verify");
                    }

                    versions.Add(new WrappedDekVersion(version.DekVersion, frame, _current.KekId, _currentVersion));
                }

                return new ThreadKeyMaterial(material.KeyId, versions);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(dek);
                CryptographicOperations.ZeroMemory(check);
            }
        }
    }

    /// <summary>Zeroes and drops every key.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _current.Dispose();
            foreach (MasterKey key in _previous.Values)
            {
                key.Dispose();
            }

            _previous.Clear();
        }
    }

    /// <summary>Wraps a new DEK under the current KEK.</summary>
    internal WrappedDekVersion Wrap(string keyId, uint dekVersion, ReadOnlySpan<byte> dek)
    {
        Span<byte> frame = stackalloc byte[WrappedDekFrame.Length];
        lock (_lock)
        {
            ThrowIfDisposed();
            WrappedDekFrame.Wrap(_current, _currentVersion, keyId, dek, frame);
            return new WrappedDekVersion(dekVersion, frame, _current.KekId, _currentVersion);
        }
    }

    /// <summary>
    /// Unwraps DEK <paramref name="version"/> of <paramref name="material"/> into a stack buffer, hands it to
    /// <paramref name="use"/> (which must not keep it) and wipes it.
    /// </summary>
    /// <exception cref="UnknownKeyException">The material has no such version, or its KEK is not in the ring.</exception>
    internal T WithDek<T>(ThreadKeyMaterial material, uint version, Func<ReadOnlySpan<byte>, T> use)
    {
        if (!material.TryGetVersion(version, out WrappedDekVersion? wrapped))
        {
            throw new UnknownKeyException($"key {material.KeyId} has no DEK version {version}", UnknownKeyReason.DekVersion);
        }

        Span<byte> dek = stackalloc byte[MasterKey.KeyLength];
        try
        {
            Unwrap(material.KeyId, wrapped, dek);
            return use(dek);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dek);
        }
    }

    /// <summary>Unwraps one version with the KEK named by its kek_id.</summary>
    /// <exception cref="UnknownKeyException">The ring does not hold that KEK.</exception>
    /// <exception cref="FrameAuthenticationException">The wrapped DEK does not authenticate.</exception>
    internal void Unwrap(string keyId, WrappedDekVersion version, Span<byte> dek)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            UnwrapLocked(keyId, version, dek);
        }
    }

    private bool IsCurrentLocked(WrappedDekVersion version) =>
        version.KekId == _current.KekId && version.KekVersion == _currentVersion;

    private void UnwrapLocked(string keyId, WrappedDekVersion version, Span<byte> dek)
    {
        MasterKey? kek = version.KekId == _current.KekId ? _current : _previous.GetValueOrDefault(version.KekId);
        if (kek is null)
        {
            throw new UnknownKeyException(
                $"DEK version {version.DekVersion} of key {keyId} is wrapped under KEK {version.KekId}, which is not configured",
                UnknownKeyReason.Kek);
        }

        WrappedDekFrame.Unwrap(kek, keyId, version.WrappedDek.Span, dek);
    }

    private void ThrowIfDisposedOrHeld(MasterKey key, string paramName)
    {
        ThrowIfDisposed();
        if (key.KekId == _current.KekId || _previous.ContainsKey(key.KekId))
        {
            throw new ArgumentException($"master key {key.KekId} is already in the key ring", paramName);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
