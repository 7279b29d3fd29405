// The key service's HTTP endpoints (spec/kms.md §5, docs/kms-protocol.md) on the project's own
// server. Handlers parse with Utf8JsonReader, do the key work through the embedded provider over the
// durable key store, and write JSON straight into the response. Every failure becomes
// {"error","code"} with the status of the protocol table; nothing secret is ever in a message.
using System.Globalization;
using System.Text;
using System.Text.Json;
using Prg.Crypto;
using Prg.Http;
using Prg.Logging;
using HttpMethod = Prg.Http.HttpMethod;

namespace Prg.Kms;

internal sealed class KmsApplication : IHttpApplication
{
    private readonly Router _router = new();
    private readonly KmsService _service;
    private readonly EmbeddedKeyProvider _provider;
    private readonly KmsKeyStore _store;
    private readonly Log _log;
    private readonly AuditLog? _audit;

    public KmsApplication(KmsService service, EmbeddedKeyProvider provider, KmsKeyStore store, Log log, AuditLog? audit)
    {
        _service = service;
        _provider = provider;
        _store = store;
        _log = log;
        _audit = audit;
        _router.Map(HttpMethod.Get, KmsProtocol.HealthPath, HealthAsync);
        _router.Map(HttpMethod.Post, KmsProtocol.CreateDekPath, CreateAsync);
        _router.Map(HttpMethod.Post, KmsProtocol.EncryptPath, EncryptAsync);
        _router.Map(HttpMethod.Post, KmsProtocol.DecryptPath, DecryptAsync);
        _router.Map(HttpMethod.Get, KmsProtocol.GetWrappedPath, GetWrappedAsync);
        _router.Map(HttpMethod.Post, KmsProtocol.EncryptBatchPath, EncryptBatchAsync);
        _router.Map(HttpMethod.Post, KmsProtocol.DecryptBatchPath, DecryptBatchAsync);
        _router.Map(HttpMethod.Post, KmsProtocol.RotateKekPath, RotateKekAsync);
        _router.Map(HttpMethod.Get, KmsProtocol.RotateKekStatusPath, RotateKekStatusAsync);
        _router.Map(HttpMethod.Post, KmsProtocol.RotateDekPath, RotateDekAsync);
        _router.Map(HttpMethod.Post, KmsProtocol.RewrapDekPath, RewrapDekAsync);
    }

    public async ValueTask HandleAsync(HttpContext context)
    {
        RouteMatch match = _router.Match(context);
        switch (match.Kind)
        {
            case RouteMatchKind.Found:
                string result = "ok";
                try
                {
                    ValueTask pending = match.Handler!(context);
                    if (!pending.IsCompletedSuccessfully)
                    {
                        await pending.ConfigureAwait(false);
                    }
                }
                catch (Exception e)
                {
                    (int status, string code, string message) = Describe(e);
                    WriteError(context.Response, status, code, message);
                    result = code;
                }

                if (_audit is not null)
                {
                    KmsAudit.Record(_audit, context, result);
                }

                return;
            case RouteMatchKind.MethodNotAllowed:
                context.Response.AddHeader("Allow"u8, match.Allow!);
                WriteError(context.Response, 405, KmsProtocol.ErrorCodes.MethodNotAllowed, "method not allowed");
                return;
            case RouteMatchKind.InvalidPath:
                WriteError(context.Response, 400, KmsProtocol.ErrorCodes.BadRequest, "invalid request path");
                return;
            default:
                WriteError(context.Response, 404, KmsProtocol.ErrorCodes.NotFound, "no such endpoint");
                return;
        }
    }

    private (int Status, string Code, string Message) Describe(Exception e)
    {
        switch (e)
        {
            case KmsRequestException request:
                return (request.StatusCode, request.Code, request.Message);
            case UnknownKeyException { Reason: UnknownKeyReason.KeyId } unknown:
                return (404, KmsProtocol.ErrorCodes.UnknownKey, unknown.Message);
            case UnknownKeyException { Reason: UnknownKeyReason.DekVersion } unknown:
                return (404, KmsProtocol.ErrorCodes.UnknownDekVersion, unknown.Message);
            case UnknownKeyException unknown:
                _log.Error("a DEK is wrapped under a KEK this service does not hold", LogField.Text("error", unknown.Message));
                return (500, KmsProtocol.ErrorCodes.UnknownKek, unknown.Message);
            case MalformedFrameException malformed:
                return (400, KmsProtocol.ErrorCodes.MalformedFrame, malformed.Message);
            case FrameAuthenticationException failed:
                return (400, KmsProtocol.ErrorCodes.FrameAuthentication, failed.Message);
            case MasterKeyException master:
                return (400, KmsProtocol.ErrorCodes.BadRequest, master.Message);
            case KeyMaterialFormatException corrupt:
                _log.Error("stored key material is corrupt", LogField.Text("error", corrupt.Message));
                return (500, KmsProtocol.ErrorCodes.Internal, "stored key material is corrupt");
            case CryptoException crypto:
                return (409, KmsProtocol.ErrorCodes.Conflict, crypto.Message);
            case ArgumentException argument:
                return (400, KmsProtocol.ErrorCodes.BadRequest, argument.Message);
            case ObjectDisposedException or OperationCanceledException:
                return (503, KmsProtocol.ErrorCodes.Unavailable, "the key service is shutting down");
            default:
                _log.Error("request failed", LogField.Text("error", e.GetType().Name + ": " + e.Message));
                return (500, KmsProtocol.ErrorCodes.Internal, "internal error");
        }
    }

    private static void WriteError(HttpResponse response, int status, string code, string message)
    {
        response.StatusCode = status;
        response.ContentType = ContentTypes.Json;
        response.Body.Clear();
        Utf8JsonWriter writer = response.JsonWriter();
        writer.WriteStartObject();
        writer.WriteString("error"u8, message);
        writer.WriteString("code"u8, code);
        writer.WriteEndObject();
        writer.Flush();
    }

    private ValueTask HealthAsync(HttpContext context)
    {
        KeyRing ring = _provider.KeyRing;
        Utf8JsonWriter writer = context.Response.JsonWriter();
        writer.WriteStartObject();
        writer.WriteString("status"u8, "ok");
        writer.WriteString("kek_id"u8, ring.CurrentKekId);
        writer.WriteNumber("kek_version"u8, ring.CurrentKekVersion);
        writer.WriteNumber("keys"u8, _store.Count);
        writer.WriteEndObject();
        writer.Flush();
        return ValueTask.CompletedTask;
    }

    private async ValueTask CreateAsync(HttpContext context)
    {
        string threadId = KmsRequestReader.CheckId(KmsRequestReader.ReadString(context.Request.Body, "thread_id"), "thread_id");
        context.Items = new KmsAuditSubject(KeyIds.ForThread(threadId));
        ThreadKeyMaterial material = await _service.CreateDekAsync(threadId, context.Aborted).ConfigureAwait(false);
        WriteKey(context.Response, material);
    }

    private ValueTask GetWrappedAsync(HttpContext context)
    {
        string keyId = context.Request.GetQueryString("key_id"u8) ?? throw KmsRequestException.BadRequest("the key_id query parameter is required");
        KmsRequestReader.CheckId(keyId, "key_id");
        context.Items = new KmsAuditSubject(keyId);
        ThreadKeyMaterial material = _store.Get(keyId)
            ?? throw new UnknownKeyException($"key {keyId} is unknown (no DEK has been provisioned for it)", UnknownKeyReason.KeyId);
        WriteKey(context.Response, material);
        return ValueTask.CompletedTask;
    }

    private async ValueTask EncryptAsync(HttpContext context)
    {
        KmsItem item = KmsRequestReader.ReadItem(context.Request.Body, "plaintext");
        context.Items = new KmsAuditSubject(item.KeyId);
        byte[] frame = await _provider.EncryptAsync(item.KeyId, item.Input, item.Aad, context.Aborted).ConfigureAwait(false);
        Utf8JsonWriter writer = context.Response.JsonWriter();
        WriteEncrypted(writer, frame);
        writer.Flush();
    }

    private async ValueTask DecryptAsync(HttpContext context)
    {
        KmsItem item = KmsRequestReader.ReadItem(context.Request.Body, "ciphertext");
        context.Items = new KmsAuditSubject(item.KeyId);
        byte[] plaintext = await _provider.DecryptAsync(item.KeyId, item.Input, item.Aad, context.Aborted).ConfigureAwait(false);
        Utf8JsonWriter writer = context.Response.JsonWriter();
        writer.WriteStartObject();
        writer.WriteBase64String("plaintext"u8, plaintext);
        writer.WriteEndObject();
        writer.Flush();
    }

    private ValueTask EncryptBatchAsync(HttpContext context) =>
        RunBatchAsync(context, "plaintext", encrypted: true, async (keyId, group, ct) =>
        {
            byte[][] frames = await _provider.EncryptBatchAsync(keyId, group, ct).ConfigureAwait(false);
            return Array.ConvertAll(frames, frame => ((byte[]?)frame, (Exception?)null));
        });

    private ValueTask DecryptBatchAsync(HttpContext context) =>
        RunBatchAsync(context, "ciphertext", encrypted: false, async (keyId, group, ct) =>
        {
            DecryptResult[] decrypted = await _provider.DecryptBatchAsync(keyId, group, ct).ConfigureAwait(false);
            return Array.ConvertAll(decrypted, d => (d.Plaintext, (Exception?)d.Error));
        });

    /// <summary>
    /// A batch: its items grouped by key id, one provider call per key; a call that fails fails only
    /// its own items. Answers every item in request order.
    /// </summary>
    private async ValueTask RunBatchAsync(
        HttpContext context,
        string inputName,
        bool encrypted,
        Func<string, (ReadOnlyMemory<byte>, RecordAad)[], CancellationToken, Task<(byte[]? Output, Exception? Error)[]>> run)
    {
        List<KmsItem> items = KmsRequestReader.ReadBatch(context.Request.Body, inputName);
        var results = new (byte[]? Output, Exception? Error)[items.Count];
        List<(string KeyId, List<int> Indexes)> groups = GroupByKey(items);
        context.Items = KmsAuditSubject.ForBatch(groups, items.Count);
        foreach ((string keyId, List<int> indexes) in groups)
        {
            var group = new (ReadOnlyMemory<byte>, RecordAad)[indexes.Count];
            for (int i = 0; i < indexes.Count; i++)
            {
                group[i] = (items[indexes[i]].Input, items[indexes[i]].Aad);
            }

            try
            {
                (byte[]? Output, Exception? Error)[] done = await run(keyId, group, context.Aborted).ConfigureAwait(false);
                for (int i = 0; i < indexes.Count; i++)
                {
                    results[indexes[i]] = done[i];
                }
            }
            catch (Exception e) when (e is CryptoException or ArgumentException)
            {
                foreach (int index in indexes)
                {
                    results[index] = (null, e);
                }
            }
        }

        WriteBatch(context.Response, results, encrypted);
    }

    private async ValueTask RotateKekAsync(HttpContext context)
    {
        string path = KmsRequestReader.ReadString(context.Request.Body, "master_key_file");
        MasterKey key = MasterKey.FromFile(path);
        KekRotationStatus status = await _service.Rotation.StartAsync(key).ConfigureAwait(false);
        context.Response.StatusCode = 202;
        WriteStatus(context.Response, status);
    }

    private ValueTask RotateKekStatusAsync(HttpContext context)
    {
        WriteStatus(context.Response, _service.Rotation.Status);
        return ValueTask.CompletedTask;
    }

    private async ValueTask RotateDekAsync(HttpContext context)
    {
        string keyId = KmsRequestReader.CheckId(KmsRequestReader.ReadString(context.Request.Body, "key_id"), "key_id");
        context.Items = new KmsAuditSubject(keyId);
        DekInfo info = await _provider.RotateDekAsync(keyId, context.Aborted).ConfigureAwait(false);
        _log.Info("DEK rotated", LogField.Text("key_id", keyId), LogField.Text("dek_version", info.DekVersion.ToString(CultureInfo.InvariantCulture)));
        WriteKey(context.Response, info.Material);
    }

    private async ValueTask RewrapDekAsync(HttpContext context)
    {
        string keyId = KmsRequestReader.CheckId(KmsRequestReader.ReadString(context.Request.Body, "key_id"), "key_id");
        context.Items = new KmsAuditSubject(keyId);
        DekInfo info = await _provider.RewrapDekAsync(keyId, context.Aborted).ConfigureAwait(false);
        WriteKey(context.Response, info.Material);
    }

    private static List<(string KeyId, List<int> Indexes)> GroupByKey(List<KmsItem> items)
    {
        // Almost always one key (a page of one thread): a list beats a dictionary here.
        var groups = new List<(string KeyId, List<int> Indexes)>(1);
        for (int i = 0; i < items.Count; i++)
        {
            string keyId = items[i].KeyId;
            int found = groups.FindIndex(g => g.KeyId == keyId);
            if (found < 0)
            {
                groups.Add((keyId, [i]));
            }
            else
            {
                groups[found].Indexes.Add(i);
            }
        }

        return groups;
    }

    private void WriteBatch(HttpResponse response, (byte[]? Output, Exception? Error)[] results, bool encrypted)
    {
        Utf8JsonWriter writer = response.JsonWriter();
        writer.WriteStartObject();
        writer.WriteStartArray("items"u8);
        foreach ((byte[]? output, Exception? error) in results)
        {
            if (output is not null)
            {
                if (encrypted)
                {
                    WriteEncrypted(writer, output);
                }
                else
                {
                    writer.WriteStartObject();
                    writer.WriteBase64String("plaintext"u8, output);
                    writer.WriteEndObject();
                }
            }
            else
            {
                (_, string code, string message) = Describe(error!);
                writer.WriteStartObject();
                writer.WriteString("error"u8, message);
                writer.WriteString("code"u8, code);
                writer.WriteEndObject();
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
    }

    private static void WriteEncrypted(Utf8JsonWriter writer, byte[] frame)
    {
        writer.WriteStartObject();
        writer.WriteBase64String("ciphertext"u8, frame);
        writer.WriteNumber("key_version"u8, DataFrame.ReadDekVersion(frame));
        writer.WriteEndObject();
    }

    private static void WriteKey(HttpResponse response, ThreadKeyMaterial material)
    {
        WrappedDekVersion current = material.Current;
        Utf8JsonWriter writer = response.JsonWriter();
        writer.WriteStartObject();
        writer.WriteString("key_id"u8, material.KeyId);
        writer.WriteBase64String("wrapped"u8, current.WrappedDek.Span);
        writer.WriteString("kek_id"u8, current.KekId);
        writer.WriteNumber("kek_version"u8, current.KekVersion);
        writer.WriteNumber("dek_version"u8, current.DekVersion);
        writer.WritePropertyName("material"u8);
        material.WriteTo(writer);
        writer.WriteEndObject();
        writer.Flush();
    }

    private static void WriteStatus(HttpResponse response, KekRotationStatus status)
    {
        Utf8JsonWriter writer = response.JsonWriter();
        writer.WriteStartObject();
        writer.WriteString("state"u8, status.State switch
        {
            KekRotationState.Running => "running",
            KekRotationState.Completed => "completed",
            KekRotationState.Failed => "failed",
            _ => "idle",
        });
        writer.WriteString("kek_id"u8, status.KekId);
        writer.WriteNumber("kek_version"u8, status.KekVersion);
        writer.WriteNumber("total"u8, status.Total);
        writer.WriteNumber("done"u8, status.Done);
        writer.WriteNumber("failed"u8, status.Failed);
        writer.WriteStartArray("previous_kek_ids"u8);
        foreach (string id in status.PreviousKekIds)
        {
            writer.WriteStringValue(id);
        }

        writer.WriteEndArray();
        if (status.LastError is not null)
        {
            writer.WriteString("last_error"u8, status.LastError);
        }

        writer.WriteEndObject();
        writer.Flush();
    }
}
