// The handle for an AesGcm rented from an AesGcmPool; disposing it returns the instance. A struct
// so renting costs no allocation on the hot path.
using System.Security.Cryptography;

namespace Prg.Crypto;

/// <summary>Exclusive use of one pooled <see cref="AesGcm"/>. Dispose exactly once (use a <c>using</c>).</summary>
public readonly struct AesGcmLease : IDisposable
{
    private readonly AesGcmPool? _pool;
    private readonly AesGcm? _aes;

    internal AesGcmLease(AesGcmPool pool, AesGcm aes)
    {
        _pool = pool;
        _aes = aes;
    }

    /// <summary>The rented instance; valid until the lease is disposed.</summary>
    public AesGcm Aes => _aes ?? throw new InvalidOperationException("this lease was not obtained from AesGcmPool.Rent");

    public void Dispose()
    {
        if (_pool is not null && _aes is not null)
        {
            _pool.Return(_aes);
        }
    }
}
