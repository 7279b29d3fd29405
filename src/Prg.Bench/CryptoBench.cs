// `prg bench crypto`: in-process AES-256-GCM data-frame throughput per plaintext size and thread
// count on the process's frame engine (engine=aesni-pclmul or openssl-evp, see FrameEngines), next
// to bare .NET AesGcm measured by the same loop and, when openssl is on PATH, next to
// `openssl speed -evp aes-256-gcm` run right after on the same cores: the ratio users compare.
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Prg.Crypto;

namespace Prg.Bench;

public static class CryptoBench
{
    private const string ThreadId = "bench-thread";
    private const string RecordId = "thread:bench-thread:msg:1-1:v1";

    // Each worker checks the stop flag once per this many operations, so the check costs nothing.
    private const int OpsPerCheck = 16;

    private static readonly CryptoOperation[] s_operations =
        [CryptoOperation.FrameEncrypt, CryptoOperation.FrameDecrypt, CryptoOperation.GcmEncrypt, CryptoOperation.GcmDecrypt];

    /// <summary>How long <see cref="Run"/> takes with these options.</summary>
    public static TimeSpan ExpectedDuration(CryptoBenchOptions options) =>
        (options.Duration * (options.Sizes.Count * options.Threads.Count * s_operations.Length))
        + (options.Threads.Contains(1) ? TimeSpan.FromSeconds(OpensslSpeed.Seconds(options.Duration) * options.Sizes.Count) : TimeSpan.Zero);

    /// <exception cref="BenchFailedException">A frame did not decrypt (a bug; never expected).</exception>
    public static BenchReport Run(CryptoBenchOptions options, ProgressReporter progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        var report = new BenchReport("crypto",
        [
            new("engine", FrameEngines.Name(FrameEngines.Default)),
            new("aesni_max_frame", FrameEngines.Default == FrameEngine.AesNiPclmul ? $"{FrameKey.MaxAesNiFrameBytes}" : "-"), // larger frames: EVP
            new("sizes", string.Join(',', options.Sizes)),
            new("threads", string.Join(',', options.Threads)),
            new("seconds", options.Duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)),
        ]);
        var throughput = new ReportSection("throughput", "Throughput (AES-256-GCM; frame = prg data frame, gcm = bare .NET AesGcm)",
            new("size", "size B"), new("threads", "threads"), new("operation", "operation"),
            new("ops_per_second", "ops/s"), new("mb_per_second", "MB/s"), new("ns_per_op", "ns/op"));
        var ratios = new ReportSection("ratio", "Frame / bare AesGcm",
            new("size", "size B"), new("threads", "threads"),
            new("encrypt_ratio", "encrypt"), new("decrypt_ratio", "decrypt"));
        var versusOpenssl = new ReportSection("openssl", "Frame (1 thread) / `openssl speed -elapsed -evp aes-256-gcm` (encrypt, same cores, right after)",
            new("size", "size B"), new("openssl_mb_per_second", "openssl MB/s"),
            new("encrypt_ratio", "encrypt"), new("decrypt_ratio", "decrypt"));
        report.Sections.Add(throughput);
        report.Sections.Add(ratios);
        var singleThreaded = new Dictionary<int, (double Encrypt, double Decrypt)>();

        byte[] key = RandomNumberGenerator.GetBytes(MasterKey.KeyLength);
        progress.Start(ExpectedDuration(options));
        foreach (int size in options.Sizes)
        {
            foreach (int threads in options.Threads)
            {
                var opsPerSecond = new Dictionary<CryptoOperation, double>();
                foreach (CryptoOperation operation in s_operations)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    double rate = Measure(operation, key, size, threads, options.Duration, progress, cancellationToken);
                    opsPerSecond[operation] = rate;
                    throughput.AddRow(
                        ReportValue.Of(size), ReportValue.Of(threads), ReportValue.Of(Name(operation)),
                        ReportValue.Of(rate, "0"), ReportValue.Of(rate * size / 1e6, "0.0"), ReportValue.Of(threads * 1e9 / rate, "0"));
                }

                if (threads == 1)
                {
                    singleThreaded[size] = (opsPerSecond[CryptoOperation.FrameEncrypt] * size / 1e6, opsPerSecond[CryptoOperation.FrameDecrypt] * size / 1e6);
                }

                ratios.AddRow(
                    ReportValue.Of(size), ReportValue.Of(threads),
                    ReportValue.Of(opsPerSecond[CryptoOperation.FrameEncrypt] / opsPerSecond[CryptoOperation.GcmEncrypt], "0.00"),
                    ReportValue.Of(opsPerSecond[CryptoOperation.FrameDecrypt] / opsPerSecond[CryptoOperation.GcmDecrypt], "0.00"));
            }
        }

        foreach ((int size, (double encrypt, double decrypt)) in singleThreaded)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (OpensslSpeed.Measure(size, options.Duration) is { } openssl)
            {
                versusOpenssl.AddRow(
                    ReportValue.Of(size), ReportValue.Of(openssl, "0.0"), ReportValue.Of(encrypt / openssl, "0.00"), ReportValue.Of(decrypt / openssl, "0.00"));
            }
        }

        if (versusOpenssl.Rows.Count > 0)
        {
            report.Sections.Add(versusOpenssl);
        }
        else if (singleThreaded.Count > 0)
        {
            report.Notes.Add("openssl was not found on PATH (or failed), so there is no openssl ratio.");
        }

        report.Notes.Add("MB/s counts plaintext bytes (10^6 bytes/s); ns/op is per thread. Pin with taskset so openssl runs on the same core.");
        return report;
    }

    /// <summary>The row label of an operation.</summary>
    public static string Name(CryptoOperation operation) => operation switch
    {
        CryptoOperation.FrameEncrypt => "frame-encrypt",
        CryptoOperation.FrameDecrypt => "frame-decrypt",
        CryptoOperation.GcmEncrypt => "gcm-encrypt",
        CryptoOperation.GcmDecrypt => "gcm-decrypt",
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };

    /// <summary>Runs one operation on <paramref name="threads"/> threads for <paramref name="duration"/>; returns ops/s.</summary>
    internal static double Measure(
        CryptoOperation operation, byte[] key, int size, int threads, TimeSpan duration, ProgressReporter progress, CancellationToken cancellationToken)
    {
        using var frameKey = new FrameKey(key, Math.Min(Math.Max(2, threads), FrameKey.MaxIdleContexts));
        var counters = new long[threads * 16]; // one cache line (16 longs = 128 B) per worker
        var stop = new StopFlag();
        var failures = new Exception?[threads];
        using var ready = new CountdownEvent(threads);
        using var go = new ManualResetEventSlim();
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int slot = t * 16;
            int index = t;
            workers[t] = new Thread(() =>
            {
                bool signalled = false;
                try
                {
                    using Loop loop = new(operation, key, frameKey, size);
                    ready.Signal();
                    signalled = true;
                    go.Wait(CancellationToken.None);
                    long done = 0;
                    while (!stop.Stopped)
                    {
                        for (int i = 0; i < OpsPerCheck; i++)
                        {
                            loop.RunOnce();
                        }

                        done += OpsPerCheck;
                        Volatile.Write(ref counters[slot], done);
                    }
                }
                catch (Exception e)
                {
                    failures[index] = e;
                    if (!signalled)
                    {
                        ready.Signal();
                    }
                }
            })
            {
                IsBackground = true,
                Name = $"bench-crypto-{t}",
            };
            workers[t].Start();
        }

        ready.Wait(CancellationToken.None);
        progress.BeginPhase(string.Create(CultureInfo.InvariantCulture, $"{Name(operation)} {size} B x{threads}"), () => Sum(counters));
        long started = Stopwatch.GetTimestamp();
        go.Set();
        cancellationToken.WaitHandle.WaitOne(duration);
        stop.Stop();
        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        foreach (Exception? failure in failures)
        {
            if (failure is not null)
            {
                throw new BenchFailedException($"{Name(operation)} failed: {failure.Message}", failure);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Sum(counters) / seconds;
    }

    private static long Sum(long[] counters)
    {
        long total = 0;
        for (int i = 0; i < counters.Length; i += 16)
        {
            total += Volatile.Read(ref counters[i]);
        }

        return total;
    }

    private sealed class StopFlag
    {
        private volatile bool _stopped;

        public bool Stopped => _stopped;

        public void Stop() => _stopped = true;
    }

    /// <summary>One worker's buffers and keys for one operation.</summary>
    private sealed class Loop : IDisposable
    {
        private readonly CryptoOperation _operation;
        private readonly FrameKey _frameKey;
        private readonly AesGcm _aes;
        private readonly byte[] _plaintext;
        private readonly byte[] _frame;
        private readonly byte[] _output;
        private readonly byte[] _nonce = new byte[DataFrame.NonceLength];
        private readonly byte[] _tag = new byte[DataFrame.TagLength];
        private ulong _counter;

        public Loop(CryptoOperation operation, byte[] key, FrameKey frameKey, int size)
        {
            _operation = operation;
            _frameKey = frameKey;
            _aes = new AesGcm(key, DataFrame.TagLength);
            _plaintext = RandomNumberGenerator.GetBytes(size);
            _frame = new byte[DataFrame.GetEncryptedLength(size)];
            _output = new byte[DataFrame.GetEncryptedLength(size)];
            switch (operation)
            {
                case CryptoOperation.FrameDecrypt:
                    frameKey.Encrypt(1, ThreadId, RecordId, _plaintext, _frame);
                    break;
                case CryptoOperation.GcmDecrypt:
                    RandomNumberGenerator.Fill(_nonce);
                    _aes.Encrypt(_nonce, _plaintext, _frame.AsSpan(0, size), _tag);
                    break;
            }
        }

        public void RunOnce()
        {
            switch (_operation)
            {
                case CryptoOperation.FrameEncrypt:
                    _frameKey.Encrypt(1, ThreadId, RecordId, _plaintext, _frame);
                    break;
                case CryptoOperation.FrameDecrypt:
                    if (!_frameKey.TryDecrypt(_frame, ThreadId, RecordId, _output, out _))
                    {
                        throw new CryptographicException("a data frame made by this benchmark did not authenticate");
                    }

                    break;

                case CryptoOperation.GcmEncrypt:
                    // A counter nonce: never repeats under this throwaway key, costs nothing to make.
                    BinaryPrimitives.WriteUInt64LittleEndian(_nonce, ++_counter);
                    _aes.Encrypt(_nonce, _plaintext, _output.AsSpan(0, _plaintext.Length), _tag);
                    break;
                case CryptoOperation.GcmDecrypt:
                    _aes.Decrypt(_nonce, _frame.AsSpan(0, _plaintext.Length), _tag, _output.AsSpan(0, _plaintext.Length));
                    break;
            }
        }

        public void Dispose() => _aes.Dispose();
    }
}
