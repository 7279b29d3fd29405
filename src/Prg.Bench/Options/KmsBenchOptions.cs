// Options of `prg bench kms`.
using Prg.Crypto;

namespace Prg.Bench;

/// <summary>What <see cref="KmsBench"/> measures and where.</summary>
public sealed class KmsBenchOptions
{
    public const string Command = "bench kms";

    public static readonly string[] ValuedOptions = ["endpoint", "batch", "size", "seconds", "concurrency", "json", "tls-cert", "tls-key", "tls-ca", "tls-server-name"];

    /// <summary><c>unix:/path/to.sock</c> or <c>host:port</c> of a running <c>prg kms</c>.</summary>
    public required string Endpoint { get; init; }

    /// <summary>Items per batch decrypt request.</summary>
    public int Batch { get; init; } = 50;

    /// <summary>Plaintext bytes per item.</summary>
    public int Size { get; init; } = 200;

    /// <summary>Length of each of the two phases (single calls, then batches).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Calls in flight at once.</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>Client certificate, key, the service's CA and expected name for an https:// endpoint.</summary>
    public (string Cert, string Key, string Ca, string? ServerName)? Tls { get; init; }

    /// <exception cref="BenchOptionException">A value is missing, malformed or out of range.</exception>
    public static KmsBenchOptions Parse(OptionReader options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string endpoint = options.GetRequiredString("endpoint", "where prg kms listens, e.g. --endpoint unix:/run/prgkms.sock");
        try
        {
            _ = KmsEndpoint.Parse(endpoint);
        }
        catch (ArgumentException e)
        {
            throw options.Error($"--endpoint: {e.Message.Split(" (Parameter", 2)[0]}");
        }

        return new KmsBenchOptions
        {
            Endpoint = endpoint,
            Batch = options.GetInt("batch", 50, 1, KmsProtocol.MaxBatchItems),
            Size = options.GetInt("size", 200, 1, 1 << 20),
            Duration = TimeSpan.FromSeconds(options.GetDouble("seconds", 5, 0.1, 3600)),
            Concurrency = options.GetInt("concurrency", 1, 1, 1024),
            Tls = KmsEndpoint.Parse(endpoint).IsTls
                ? (options.GetRequiredString("tls-cert", "client certificate for an https endpoint"),
                   options.GetRequiredString("tls-key", "its private key"),
                   options.GetRequiredString("tls-ca", "the key service's CA"),
                   options.GetString("tls-server-name"))
                : null,
        };
    }
}
