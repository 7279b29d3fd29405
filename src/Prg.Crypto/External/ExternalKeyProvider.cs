// The server's client of the external key service (`prg kms`): every DEK operation is a request to
// the service, so the server process never holds a raw DEK. Keep-alive pooled connections over a
// Unix socket (or TCP), a deadline per call, one retry where repeating is harmless, and concurrent
// single encrypt/decrypt calls coalesced into batch requests under load.
using System.Diagnostics;
using System.Text.Json;
using static Prg.Crypto.ProviderArguments;

namespace Prg.Crypto;

/// <summary>
/// <see cref="IKeyProvider"/> backed by the key service at <see cref="ExternalKeyProviderOptions.Endpoint"/>.
/// Transport failures, timeouts and 5xx answers surface as <see cref="KeyServiceUnavailableException"/>.
/// </summary>
/// <remarks>
/// Retries: create, encrypt, decrypt, get_wrapped, rewrap and the batch forms are retried once after a
/// transport failure (create is idempotent by key id, encrypt/decrypt change nothing in the service,
/// rewrap is a no-op once done). rotate_dek is retried only if the request cannot have reached the
/// service. The material returned by rotation and rewrap is the service's; this class does not write
/// thread metadata (<see cref="FallbackKeyProvider"/> mirrors it into its <see cref="IDekStore"/>).
/// </remarks>
public sealed class ExternalKeyProvider : IKeyProvider
{
    private static readonly byte[] s_healthHead = KmsClient.Head("GET", KmsProtocol.HealthPath);
    private static readonly byte[] s_createHead = KmsClient.Head("POST", KmsProtocol.CreateDekPath);
    private static readonly byte[] s_encryptHead = KmsClient.Head("POST", KmsProtocol.EncryptPath);
    private static readonly byte[] s_decryptHead = KmsClient.Head("POST", KmsProtocol.DecryptPath);
    private static readonly byte[] s_encryptBatchHead = KmsClient.Head("POST", KmsProtocol.EncryptBatchPath);
    private static readonly byte[] s_decryptBatchHead = KmsClient.Head("POST", KmsProtocol.DecryptBatchPath);
    private static readonly byte[] s_rotateDekHead = KmsClient.Head("POST", KmsProtocol.RotateDekPath);
    private static readonly byte[] s_rewrapDekHead = KmsClient.Head("POST", KmsProtocol.RewrapDekPath);
    private static readonly byte[] s_plaintextName = "plaintext"u8.ToArray();
    private static readonly byte[] s_threadIdName = "thread_id"u8.ToArray();
    private static readonly byte[] s_keyIdName = "key_id"u8.ToArray();
    private static readonly byte[] s_ciphertextName = "ciphertext"u8.ToArray();

    private readonly ExternalKeyProviderOptions _options;
    private readonly KmsClient _client;
    private readonly CallCoalescer _encrypts;
    private readonly CallCoalescer _decrypts;
    private long _batchedCalls;
    private volatile bool _disposed;

    /// <remarks>Takes ownership of <see cref="ExternalKeyProviderOptions.Tls"/> (disposed with the provider).</remarks>
    /// <exception cref="ArgumentException">The endpoint is not <c>unix:/path</c>, <c>host:port</c> or <c>https://host:port</c>, or an option is out of range.</exception>
    public ExternalKeyProvider(ExternalKeyProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _client = new KmsClient(KmsEndpoint.Parse(options.Endpoint), options);
        _encrypts = new CallCoalescer(options.MaxConcurrentSingleCalls, options.MaxBatchItems, options.MaxBatchBytes, SendEncryptAsync, SendEncryptsAsync);
        _decrypts = new CallCoalescer(options.MaxConcurrentSingleCalls, options.MaxBatchItems, options.MaxBatchBytes, SendDecryptAsync, SendDecryptsAsync);
    }

    /// <summary>The service endpoint (safe to log).</summary>
    public string Endpoint => _client.Endpoint.Display;

    /// <summary>When the client certificate presented to the service expires; null without TLS (metrics).</summary>
    public DateTimeOffset? ClientCertificateNotAfter => _options.Tls?.Credentials.NotAfter;

    /// <summary>HTTP requests sent to the service so far, retries included (metrics, tests).</summary>
    public long RequestsSent => _client.RequestsSent;

    /// <summary>Single encrypt/decrypt calls that went out inside a coalesced batch request.</summary>
    public long CoalescedCalls => Interlocked.Read(ref _batchedCalls);

    /// <summary>Checks <c>GET /healthz</c> (server start-up refuses to go on without the service).</summary>
    /// <exception cref="KeyServiceUnavailableException">The service is not reachable or not healthy.</exception>
    public async ValueTask CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await _client.SendAsync<int, bool>(s_healthHead, 0, null, static (_, _) => true, KmsRetry.Once, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<DekInfo> CreateDekForThreadAsync(string threadId, CancellationToken cancellationToken = default) =>
        SendKeyCommandAsync(s_createHead, s_threadIdName, threadId, KmsRetry.Once, cancellationToken);

    /// <summary>The key's material as the service holds it (<c>GET /get_wrapped</c>).</summary>
    /// <exception cref="UnknownKeyException">The key id is unknown.</exception>
    public ValueTask<DekInfo> GetWrappedAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        byte[] head = KmsClient.Head("GET", KmsProtocol.GetWrappedPath + "?key_id=" + Uri.EscapeDataString(keyId));
        return _client.SendAsync<int, DekInfo>(head, 0, null, static (body, _) => KmsJson.ReadDekInfo(body), KmsRetry.Once, cancellationToken);
    }

    public ValueTask<byte[]> EncryptAsync(string keyId, ReadOnlyMemory<byte> plaintext, RecordAad aad, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        CheckAad(aad);
        return _encrypts.RunAsync(keyId, plaintext, aad, cancellationToken);
    }

    public ValueTask<byte[]> DecryptAsync(string keyId, ReadOnlyMemory<byte> frame, RecordAad aad, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        CheckAad(aad);
        return _decrypts.RunAsync(keyId, frame, aad, cancellationToken);
    }

    public async ValueTask<byte[][]> EncryptBatchAsync(
        string keyId, IReadOnlyList<(ReadOnlyMemory<byte> Plaintext, RecordAad Aad)> items, CancellationToken cancellationToken = default)
    {
        var frames = new byte[items.Count][];
        await SendBatchAsync(s_encryptBatchHead, s_plaintextName, s_ciphertextName, keyId, items, (i, value, error) =>
        {
            // Encryption under one key fails as a whole (unknown key), never item by item.
            frames[i] = value ?? throw error!;
        }, cancellationToken).ConfigureAwait(false);
        return frames;
    }

    public async ValueTask<DecryptResult[]> DecryptBatchAsync(
        string keyId, IReadOnlyList<(ReadOnlyMemory<byte> Frame, RecordAad Aad)> items, CancellationToken cancellationToken = default)
    {
        var output = new DecryptResult[items.Count];
        await SendBatchAsync(s_decryptBatchHead, s_ciphertextName, s_plaintextName, keyId, items, (i, value, error) =>
        {
            if (error is UnknownKeyException { Reason: UnknownKeyReason.KeyId } unknown)
            {
                throw unknown; // the contract: an unknown key id fails the whole call
            }

            output[i] = value is not null
                ? DecryptResult.Success(value)
                : DecryptResult.Failure(error as CryptoException ?? new CryptoException(error!.Message, error));
        }, cancellationToken).ConfigureAwait(false);
        return output;
    }

    public ValueTask<DekInfo> RotateDekAsync(string keyId, CancellationToken cancellationToken = default) =>
        SendKeyCommandAsync(s_rotateDekHead, s_keyIdName, keyId, KmsRetry.IfNotSent, cancellationToken);

    public ValueTask<DekInfo> RewrapDekAsync(string keyId, CancellationToken cancellationToken = default) =>
        SendKeyCommandAsync(s_rewrapDekHead, s_keyIdName, keyId, KmsRetry.Once, cancellationToken);

    /// <summary>Closes the pooled connections. No key material is held, so there is nothing to zero.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _client.Dispose();
            _options.Tls?.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Sends <c>{"&lt;idName&gt;": id}</c> and reads the key's DekInfo back (create, rotate, rewrap).</summary>
    private ValueTask<DekInfo> SendKeyCommandAsync(byte[] head, byte[] idName, string id, KmsRetry retry, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrEmpty(id);
        return _client.SendAsync(
            head,
            (IdName: idName, Id: id),
            static (w, s) =>
            {
                w.WriteStartObject();
                w.WriteString(s.IdName, s.Id);
                w.WriteEndObject();
            },
            static (body, _) => KmsJson.ReadDekInfo(body),
            retry,
            cancellationToken);
    }

    private ValueTask<byte[]> SendEncryptAsync(PendingCall call, CancellationToken cancellationToken) =>
        _client.SendAsync(
            s_encryptHead,
            call,
            static (w, c) => WriteSingle(w, c, "plaintext"u8),
            static (body, _) => KmsJson.ReadBytes(body, "ciphertext"u8),
            KmsRetry.Once,
            cancellationToken);

    private ValueTask<byte[]> SendDecryptAsync(PendingCall call, CancellationToken cancellationToken) =>
        _client.SendAsync(
            s_decryptHead,
            call,
            static (w, c) => WriteSingle(w, c, "ciphertext"u8),
            static (body, _) => KmsJson.ReadBytes(body, "plaintext"u8),
            KmsRetry.Once,
            cancellationToken);

    private Task SendEncryptsAsync(List<PendingCall> calls) => SendCoalescedAsync(calls, s_encryptHead, s_encryptBatchHead, s_plaintextName, s_ciphertextName);

    private Task SendDecryptsAsync(List<PendingCall> calls) => SendCoalescedAsync(calls, s_decryptHead, s_decryptBatchHead, s_ciphertextName, s_plaintextName);

    private async Task SendCoalescedAsync(List<PendingCall> calls, byte[] singleHead, byte[] batchHead, byte[] inputName, byte[] outputName)
    {
        // The queued calls share the deadline of the oldest one: time spent queued counts.
        TimeSpan remaining = _options.Timeout - Stopwatch.GetElapsedTime(calls[0].EnqueuedTimestamp);
        var state = new CoalescedState(calls, inputName, outputName, _client);
        try
        {
            if (calls.Count == 1)
            {
                byte[] output = await _client.SendAsync(
                    singleHead,
                    state,
                    static (w, s) => WriteSingle(w, s.Calls[0], s.InputName),
                    static (body, s) => KmsJson.ReadBytes(body, s.OutputName),
                    KmsRetry.Once,
                    remaining,
                    CancellationToken.None).ConfigureAwait(false);
                calls[0].Completion.TrySetResult(output);
                return;
            }

            Interlocked.Add(ref _batchedCalls, calls.Count);
            (byte[]? Value, Exception? Error)[] results = await _client.SendAsync(
                batchHead,
                state,
                static (w, s) =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("items"u8);
                    foreach (PendingCall call in s.Calls)
                    {
                        WriteSingle(w, call, s.InputName);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                },
                static (body, s) => KmsJson.ReadBatch(body, s.OutputName, s.Calls.Count, s.Client),
                KmsRetry.Once,
                remaining,
                CancellationToken.None).ConfigureAwait(false);
            for (int i = 0; i < calls.Count; i++)
            {
                if (results[i].Value is { } value)
                {
                    calls[i].Completion.TrySetResult(value);
                }
                else
                {
                    calls[i].Completion.TrySetException(results[i].Error!);
                }
            }
        }
        catch (Exception e)
        {
            foreach (PendingCall call in calls)
            {
                call.Completion.TrySetException(e);
            }
        }
    }

    private static void WriteSingle(Utf8JsonWriter writer, PendingCall call, ReadOnlySpan<byte> inputName)
    {
        writer.WriteStartObject();
        writer.WriteString("key_id"u8, call.KeyId);
        writer.WriteBase64String(inputName, call.Input.Span);
        KmsJson.WriteAad(writer, call.Aad);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Sends a batch call in chunks the service accepts; each item's result goes to <paramref name="onResult"/>
    /// with its index as its chunk returns, and an exception thrown there stops the call.
    /// </summary>
    private async ValueTask SendBatchAsync(
        byte[] head, byte[] inputName, byte[] outputName, string keyId, IReadOnlyList<(ReadOnlyMemory<byte> Data, RecordAad Aad)> items,
        Action<int, byte[]?, Exception?> onResult, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        CheckBatch(keyId, items, static item => item.Aad);
        int start = 0;
        while (start < items.Count)
        {
            int count = ChunkLength(items, start, static item => item.Data.Length);
            var chunk = new BatchChunk<(ReadOnlyMemory<byte> Data, RecordAad Aad)>(keyId, items, start, count);
            (byte[]? Value, Exception? Error)[] results = await _client.SendAsync(
                head,
                (Chunk: chunk, Client: _client, InputName: inputName, OutputName: outputName),
                static (w, s) => WriteBatch(w, s.Chunk, s.InputName, static item => item.Data, static item => item.Aad),
                static (body, s) => KmsJson.ReadBatch(body, s.OutputName, s.Chunk.Count, s.Client),
                KmsRetry.Once,
                cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < results.Length; i++)
            {
                onResult(start + i, results[i].Value, results[i].Error);
            }

            start += count;
        }
    }

    private static void WriteBatch<T>(
        Utf8JsonWriter writer, BatchChunk<T> chunk, ReadOnlySpan<byte> inputName, Func<T, ReadOnlyMemory<byte>> input, Func<T, RecordAad> aad)
    {
        writer.WriteStartObject();
        writer.WriteString("key_id"u8, chunk.KeyId);
        writer.WriteStartArray("items"u8);
        for (int i = chunk.Start; i < chunk.Start + chunk.Count; i++)
        {
            T item = chunk.Items[i];
            writer.WriteStartObject();
            writer.WriteBase64String(inputName, input(item).Span);
            KmsJson.WriteAad(writer, aad(item));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private int ChunkLength<T>(IReadOnlyList<T> items, int start, Func<T, int> size)
    {
        int count = 0;
        long bytes = 0;
        while (start + count < items.Count && count < _options.MaxBatchItems)
        {
            int next = size(items[start + count]);
            if (count > 0 && bytes + next > _options.MaxBatchBytes)
            {
                break;
            }

            bytes += next;
            count++;
        }

        return count;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private sealed record CoalescedState(List<PendingCall> Calls, byte[] InputName, byte[] OutputName, KmsClient Client);

    private readonly record struct BatchChunk<T>(string KeyId, IReadOnlyList<T> Items, int Start, int Count);
}
