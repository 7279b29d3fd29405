// Which status a failed seal or open gets: only an unreachable key service is a 503; a key nobody
// knows, key metadata that does not parse, or anything else is a 500, each counted by cause.
using System.Text;
using Prg.Api.Encryption;
using Prg.Api.Http;
using Prg.Crypto;

namespace Prg.Api.Tests.Encryption;

public sealed class EncryptionFailureStatusTests : EmbeddedCipherFixture
{
    [Fact]
    public async Task AKeyTheProviderDoesNotKnowIsA500CountedAsUnknownKey()
    {
        // Provisioned but never stored: the thread's key id is unknown to the DEK store.
        byte[] kms = await Cipher.CreateThreadKeysAsync("lost", default);

        var e = await Assert.ThrowsAsync<ApiException>(() => Cipher.SealAsync(kms, RecordAad.ForTitle("lost"), "x"u8.ToArray(), default).AsTask());

        Assert.Equal(500, e.Status);
        Assert.Equal(1, Cipher.Failures.UnknownKeys);
    }

    [Fact]
    public async Task KeyMetadataThatDoesNotParseIsA500CountedAsCorrupt()
    {
        byte[] corrupt = Encoding.UTF8.GetBytes("""{"key_id":""");

        var e = await Assert.ThrowsAsync<ApiException>(() => Cipher.OpenAsync(corrupt, RecordAad.ForTitle("t"), [1, 2, 3], default).AsTask());

        Assert.Equal(500, e.Status);
        Assert.Equal(1, Cipher.Failures.CorruptKeyMaterial);
    }

    [Fact]
    public void OnlyAnUnreachableKeyServiceIsA503()
    {
        var failures = new EncryptionFailures();

        Assert.Equal(503, Status(failures.Classify(new KeyServiceUnavailableException("down"))));
        Assert.Equal(500, Status(failures.Classify(new KeyServiceException(409, "conflict", "refused"))));
        Assert.Equal(500, Status(failures.Classify(new InvalidOperationException("a bug"))));
        Assert.Equal(2, failures.Other);
        var cancelled = new OperationCanceledException();
        Assert.Same(cancelled, failures.Classify(cancelled));
    }

    private static int Status(Exception e) => Assert.IsType<ApiException>(e).Status;
}
