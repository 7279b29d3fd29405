// Tuning knobs of the key service client.
namespace Prg.Crypto;

/// <summary>Options for <see cref="ExternalKeyProvider"/>.</summary>
public sealed class ExternalKeyProviderOptions
{
    /// <summary><c>unix:/path/to.sock</c>, <c>host:port</c> or <c>https://host:port</c> (encryption.kms.endpoint).</summary>
    public required string Endpoint { get; init; }

    /// <summary>Mutual TLS for an <c>https://</c> endpoint (required there, refused elsewhere).</summary>
    public KmsTlsClient? Tls { get; init; }

    /// <summary>Deadline of one call, including its retry and any wait for a connection.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Most connections open to the service at once (callers wait for a free one).</summary>
    public int MaxConnections { get; init; } = 16;

    /// <summary>
    /// Single encrypt/decrypt requests allowed in flight at once (per operation). Calls beyond this
    /// queue up and go out together as one batch request when a slot frees up.
    /// </summary>
    public int MaxConcurrentSingleCalls { get; init; } = 4;

    /// <summary>Most items per batch request; larger batches are split.</summary>
    public int MaxBatchItems { get; init; } = 512;

    /// <summary>Payload bytes (plaintext or ciphertext) per batch request before it is split.</summary>
    public int MaxBatchBytes { get; init; } = 4 << 20;

    /// <summary>Idle pooled connections older than this are closed instead of reused.</summary>
    public TimeSpan IdleConnectionLifetime { get; init; } = TimeSpan.FromSeconds(60);

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Endpoint, nameof(Endpoint));
        if (KmsEndpoint.Parse(Endpoint).IsTls != Tls is not null)
        {
            throw new ArgumentException(Tls is null
                ? $"key service endpoint '{Endpoint}' uses TLS: a client certificate, key and CA are required"
                : $"key service endpoint '{Endpoint}' is not https://; TLS settings apply only to https endpoints", nameof(Tls));
        }
        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "must be positive");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnections, 1, nameof(MaxConnections));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentSingleCalls, 1, nameof(MaxConcurrentSingleCalls));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchItems, 1, nameof(MaxBatchItems));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxBatchItems, KmsProtocol.MaxBatchItems, nameof(MaxBatchItems));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchBytes, 1024, nameof(MaxBatchBytes));
        if (IdleConnectionLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleConnectionLifetime), IdleConnectionLifetime, "must be positive");
        }
    }
}
