// The AesGcm pool: reuse, bound, disposal of extras, key zeroing, and safety under concurrency.
using System.Security.Cryptography;

namespace Prg.Crypto.Tests;

public sealed class AesGcmPoolTests
{
    [Fact]
    public void ReturnedInstanceIsReusedByTheNextRent()
    {
        using var pool = new AesGcmPool(RandomNumberGenerator.GetBytes(32), 2);
        AesGcm first;
        using (AesGcmLease lease = pool.Rent())
        {
            first = lease.Aes;
        }

        using AesGcmLease again = pool.Rent();
        Assert.Same(first, again.Aes);
    }

    [Fact]
    public void ConcurrentLeasesGetDistinctInstancesAndExtrasBeyondCapacityAreDisposed()
    {
        using var pool = new AesGcmPool(RandomNumberGenerator.GetBytes(32), 2);
        AesGcmLease[] leases = [pool.Rent(), pool.Rent(), pool.Rent(), pool.Rent()];
        Assert.Equal(4, leases.Select(l => l.Aes).Distinct().Count());

        foreach (AesGcmLease lease in leases)
        {
            lease.Dispose();
        }

        Assert.Equal(2, pool.IdleCount);
        var disposed = leases.Count(l => IsDisposed(l.Aes));
        Assert.Equal(2, disposed);
    }

    [Fact]
    public void PooledInstancesEncryptUnderThePoolKey()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var pool = new AesGcmPool(key, 1);
        byte[] frame = new byte[DataFrame.GetEncryptedLength(5)];
        using (AesGcmLease lease = pool.Rent())
        {
            DataFrame.Encrypt(lease.Aes, 1, "t", "r", "hello"u8, frame);
        }

        using var independent = TestSupport.NewAes(key);
        byte[] output = new byte[5];
        Assert.True(DataFrame.TryDecrypt(independent, frame, "t", "r", output, out _));
    }

    [Fact]
    public void DisposeZeroesTheKeyDisposesIdleInstancesAndLateReturns()
    {
        var pool = new AesGcmPool(RandomNumberGenerator.GetBytes(32), 2);
        AesGcmLease idle = pool.Rent();
        AesGcmLease held = pool.Rent();
        idle.Dispose();

        pool.Dispose();

        Assert.All(pool.KeyBufferForTesting, b => Assert.Equal(0, b));
        Assert.True(IsDisposed(idle.Aes));
        Assert.False(IsDisposed(held.Aes));
        held.Dispose();
        Assert.True(IsDisposed(held.Aes));
        Assert.Equal(0, pool.IdleCount);
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        Assert.Throws<ArgumentException>(() => new AesGcmPool(new byte[16], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AesGcmPool(new byte[32], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AesGcmPool(new byte[32], AesGcmPool.MaxCapacity + 1));
        Assert.Throws<InvalidOperationException>(() => default(AesGcmLease).Aes);
    }

    [Fact]
    public void ManyThreadsSharingOnePoolNeverCorruptAFrame()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var pool = new AesGcmPool(key, 2);
        int failures = 0;
        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            byte[] plaintext = BitConverter.GetBytes(i);
            byte[] frame = new byte[DataFrame.GetEncryptedLength(4)];
            byte[] output = new byte[4];
            using (AesGcmLease lease = pool.Rent())
            {
                DataFrame.Encrypt(lease.Aes, 1, "t", i.ToString(), plaintext, frame);
            }

            using (AesGcmLease lease = pool.Rent())
            {
                if (!DataFrame.TryDecrypt(lease.Aes, frame, "t", i.ToString(), output, out _) || !output.SequenceEqual(plaintext))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        Assert.Equal(0, failures);
        Assert.InRange(pool.IdleCount, 1, 2);
    }

    private static bool IsDisposed(AesGcm aes)
    {
        try
        {
            aes.Encrypt(new byte[12], ReadOnlySpan<byte>.Empty, Span<byte>.Empty, new byte[16]);
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }
}
