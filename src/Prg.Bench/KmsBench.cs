// `prg bench kms`: the prgkms client (ExternalKeyProvider, the same code `prg serve` uses in external
// mode) against a running `prg kms`: single decrypt round-trip latency, then batch decrypt throughput.
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Prg.Crypto;

namespace Prg.Bench;

public static class KmsBench
{
    /// <summary>How long <see cref="RunAsync"/> takes with these options (set-up aside).</summary>
    public static TimeSpan ExpectedDuration(KmsBenchOptions options) => options.Duration * 2;

    /// <exception cref="BenchFailedException">The key service is unreachable or refuses the set-up calls.</exception>
    public static async Task<BenchReport> RunAsync(KmsBenchOptions options, ProgressReporter progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        var report = new BenchReport("kms",
        [
            new("endpoint", options.Endpoint),
            new("batch", options.Batch.ToString(CultureInfo.InvariantCulture)),
            new("size", options.Size.ToString(CultureInfo.InvariantCulture)),
            new("concurrency", options.Concurrency.ToString(CultureInfo.InvariantCulture)),
            new("seconds", options.Duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)),
        ]);

        // Every single call goes out as its own request (no coalescing into batches), and each
        // worker has a connection, so the single phase measures true round trips.
        await using var provider = CreateProvider(options);

        string threadId = "bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var items = new (ReadOnlyMemory<byte> Frame, RecordAad Aad)[options.Batch];
        byte[][] plaintexts = new byte[options.Batch][];
        string keyId;
        try
        {
            await provider.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
            DekInfo dek = await provider.CreateDekForThreadAsync(threadId, cancellationToken).ConfigureAwait(false);
            keyId = dek.KeyId;
            var toEncrypt = new (ReadOnlyMemory<byte> Plaintext, RecordAad Aad)[options.Batch];
            for (int i = 0; i < options.Batch; i++)
            {
                plaintexts[i] = RandomNumberGenerator.GetBytes(options.Size);
                toEncrypt[i] = (plaintexts[i], new RecordAad(threadId, string.Create(CultureInfo.InvariantCulture, $"m{i}:v1")));
            }

            byte[][] frames = await provider.EncryptBatchAsync(keyId, toEncrypt, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < frames.Length; i++)
            {
                items[i] = (frames[i], toEncrypt[i].Aad);
            }
        }
        catch (CryptoException e)
        {
            throw new BenchFailedException($"key service {options.Endpoint}: {e.Message}", e);
        }

        var section = new ReportSection("kms", "prgkms decrypt (round trip through the client)",
            new("phase", "phase"), new("calls", "calls"), new("items", "items"),
            new("calls_per_second", "calls/s"), new("items_per_second", "items/s"),
            new("p50_us", "p50 µs"), new("p90_us", "p90 µs"), new("p99_us", "p99 µs"), new("p999_us", "p99.9 µs"),
            new("errors", "errors"));
        report.Sections.Add(section);

        progress.Start(ExpectedDuration(options));
        PhaseResult single = await RunPhaseAsync("single decrypt", options, progress, async (worker, next) =>
        {
            int i = (int)(next % items.Length);
            byte[] plaintext = await provider.DecryptAsync(keyId, items[i].Frame, items[i].Aad, cancellationToken).ConfigureAwait(false);
            return plaintext.AsSpan().SequenceEqual(plaintexts[i]) ? 1 : throw new CryptographicException("decrypted bytes differ from what was encrypted");
        }, cancellationToken).ConfigureAwait(false);
        AddRow(section, "single", single, options.Duration);

        PhaseResult batch = await RunPhaseAsync("batch decrypt", options, progress, async (worker, next) =>
        {
            DecryptResult[] results = await provider.DecryptBatchAsync(keyId, items, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < results.Length; i++)
            {
                if (!results[i].IsSuccess || !results[i].Plaintext.AsSpan().SequenceEqual(plaintexts[i]))
                {
                    throw new CryptographicException("a batch item did not decrypt to what was encrypted");
                }
            }

            return results.Length;
        }, cancellationToken).ConfigureAwait(false);
        AddRow(section, "batch", batch, options.Duration);

        foreach (PhaseResult phase in (PhaseResult[])[single, batch])
        {
            foreach ((string error, long count) in phase.Errors)
            {
                report.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"{phase.Name}: {count} x {error}"));
            }
        }

        report.Notes.Add($"the bench key {keyId} stays in the key service's store");
        return report;
    }

    private static void AddRow(ReportSection section, string phase, PhaseResult result, TimeSpan duration)
    {
        double seconds = result.Seconds > 0 ? result.Seconds : duration.TotalSeconds;
        LatencyHistogram h = result.Latency;
        section.AddRow(
            ReportValue.Of(phase), ReportValue.Of(h.Count), ReportValue.Of(result.Items),
            ReportValue.Of(h.Count / seconds, "0"), ReportValue.Of(result.Items / seconds, "0"),
            Micros(h.GetValueAtPercentile(50)), Micros(h.GetValueAtPercentile(90)),
            Micros(h.GetValueAtPercentile(99)), Micros(h.GetValueAtPercentile(99.9)),
            ReportValue.Of(result.ErrorCount));
    }

    private static ReportValue Micros(long nanoseconds) => ReportValue.Of(nanoseconds / 1000.0, "0.0");

    private static async Task<PhaseResult> RunPhaseAsync(
        string name, KmsBenchOptions options, ProgressReporter progress, Func<int, long, ValueTask<int>> call, CancellationToken cancellationToken)
    {
        var histograms = new LatencyHistogram[options.Concurrency];
        var errors = new Dictionary<string, long>(StringComparer.Ordinal);
        long calls = 0;
        long items = 0;
        long sequence = 0;
        progress.BeginPhase(name, () => Volatile.Read(ref calls));
        long started = Stopwatch.GetTimestamp();
        long deadline = started + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);
        var workers = new Task[options.Concurrency];
        for (int w = 0; w < workers.Length; w++)
        {
            int worker = w;
            histograms[w] = new LatencyHistogram();
            workers[w] = Task.Run(async () =>
            {
                LatencyHistogram histogram = histograms[worker];
                while (Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
                {
                    long begin = Stopwatch.GetTimestamp();
                    try
                    {
                        int done = await call(worker, Interlocked.Increment(ref sequence)).ConfigureAwait(false);
                        histogram.Record(LatencyHistogram.TicksToNanoseconds(Stopwatch.GetTimestamp() - begin));
                        Interlocked.Add(ref items, done);
                        Interlocked.Increment(ref calls);
                    }
                    catch (Exception e) when (e is CryptoException or CryptographicException)
                    {
                        lock (errors)
                        {
                            string key = e.GetType().Name + ": " + e.Message;
                            errors[key] = errors.GetValueOrDefault(key) + 1;
                        }

                        if (e is KeyServiceUnavailableException)
                        {
                            // Do not spin on a dead service; the error count says what happened.
                            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
                        }
                    }
                }
            }, CancellationToken.None);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        cancellationToken.ThrowIfCancellationRequested();
        var latency = new LatencyHistogram();
        foreach (LatencyHistogram h in histograms)
        {
            latency.Add(h);
        }

        return new PhaseResult(name, latency, items, seconds, errors);
    }

    private sealed record PhaseResult(string Name, LatencyHistogram Latency, long Items, double Seconds, Dictionary<string, long> Errors)
    {
        public long ErrorCount => Errors.Values.Sum();
    }

    private static ExternalKeyProvider CreateProvider(KmsBenchOptions options)
    {
        try
        {
            return new ExternalKeyProvider(new ExternalKeyProviderOptions
            {
                Endpoint = options.Endpoint,
                MaxConnections = options.Concurrency,
                MaxConcurrentSingleCalls = options.Concurrency,
                MaxBatchItems = Math.Max(options.Batch, 1),
                MaxBatchBytes = Math.Max(1024, options.Batch * (options.Size + DataFrame.Overhead + 64)),
                Timeout = TimeSpan.FromSeconds(10),
                Tls = options.Tls is { } tls
                    ? new KmsTlsClient(new TlsCredentials(tls.Cert, tls.Key, tls.Ca), tls.ServerName ?? KmsEndpoint.Parse(options.Endpoint).Host!)
                    : null,
            });
        }
        catch (TlsCredentialsException e)
        {
            throw new BenchFailedException(e.Message, e);
        }
    }
}
