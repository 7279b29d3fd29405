// Admin key routes (spec/api.md §6): a thread's key metadata (ids and versions only, never key
// bytes), KEK rotation, DEK rotation of a thread, and job progress. Metadata reads and rotation
// starts go to the audit log (encryption.kms.audit_log) when one is configured.
using System.Text.Json;
using Prg.Api.Encryption;
using Prg.Api.Http;
using Prg.Api.Jobs;
using Prg.Crypto;
using Prg.Http;
using Prg.Logging;
using Prg.Storage.Chat;

namespace Prg.Api.Handlers;

public sealed class KmsAdminHandlers(ChatStore store, JobRunner jobs, KekRotationJob? kekRotation, DekRotationJob? dekRotation, EncryptionFailures failures, Log log, AuditLog? audit = null)
{
    // The same answer for every reason: a caller must not learn whether some file exists, its mode or
    // its length. The reason goes to the debug log (it never holds key bytes).
    public const string UnusableKey = "master_key_file: the key could not be used (it must be a regular file of mode 0600 or 0400 holding 64 hex characters)";

    public ValueTask ThreadKms(HttpContext ctx)
    {
        var thread = LiveThread(ctx);
        var material = MaterialOf(thread);
        Audit(ctx, "admin_thread_kms", material.KeyId);
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteString("thread"u8, thread.Id);
        w.WriteString("key_id"u8, material.KeyId);
        w.WriteString("kek_id"u8, material.Current.KekId);
        w.WriteNumber("kek_version"u8, material.Current.KekVersion);
        w.WriteNumber("dek_version"u8, material.CurrentDekVersion);
        w.WriteStartArray("dek_versions"u8);
        foreach (var version in material.Versions)
        {
            w.WriteStartObject();
            w.WriteNumber("dek_version"u8, version.DekVersion);
            w.WriteString("kek_id"u8, version.KekId);
            w.WriteNumber("kek_version"u8, version.KekVersion);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("rotation"u8);
        w.WritePropertyName("dek"u8);
        WriteJobOrNull(w, dekRotation?.LatestJobId(thread.Id));
        w.WritePropertyName("kek"u8);
        WriteJobOrNull(w, jobs.ActiveJobFor(KekRotationJob.KindName));
        w.WriteEndObject();
        w.WriteEndObject();
        w.Flush();
        return ValueTask.CompletedTask;
    }

    public async ValueTask RotateKek(HttpContext ctx)
    {
        string path;
        using (var body = JsonBody.ParseObject(ctx.Request.BodyMemory))
        {
            path = JsonBody.RequiredString(body.RootElement, "master_key_file");
        }
        if (kekRotation is null)
        {
            throw new ApiException(409, "KEK rotation needs encryption enabled with the embedded KMS (in external mode the key service rotates its own KEK)");
        }
        MasterKey key;
        try
        {
            key = MasterKey.FromFile(path);
        }
        catch (Exception e) when (e is MasterKeyException or ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            log.Debug("rotate-kek: the master key file was refused", LogField.Text("reason", e.Message));
            throw ApiException.BadRequest(UnusableKey);
        }
        JobRecord job;
        try
        {
            job = await kekRotation.StartAsync(key, path);
        }
        catch (ArgumentException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
        catch (JobConflictException e)
        {
            throw new ApiException(409, e.Message);
        }
        Audit(ctx, "admin_rotate_kek", null);
        WriteStarted(ctx, job.Id, null);
    }

    public async ValueTask RotateDek(HttpContext ctx)
    {
        var thread = LiveThread(ctx);
        if (dekRotation is null)
        {
            throw new ApiException(409, "encryption is not enabled");
        }
        MaterialOf(thread);
        JobRecord job;
        uint version;
        try
        {
            (job, version) = await dekRotation.StartAsync(thread, ctx.Aborted);
        }
        catch (JobConflictException e)
        {
            throw new ApiException(409, e.Message);
        }
        catch (UnknownKeyException e) when (e.Reason == UnknownKeyReason.KeyId)
        {
            throw ApiException.NotFound("thread not found");
        }
        catch (Exception e) when (e is not ApiException and not OperationCanceledException)
        {
            throw failures.Classify(e);
        }
        Audit(ctx, "admin_rotate_dek", MaterialOf(thread).KeyId);
        WriteStarted(ctx, job.Id, version);
    }

    public ValueTask Job(HttpContext ctx)
    {
        var job = jobs.Get(ctx.RouteValues["id"]) ?? throw ApiException.NotFound("job not found");
        var w = ctx.Response.JsonWriter();
        WriteJob(w, job);
        w.Flush();
        return ValueTask.CompletedTask;
    }

    private void Audit(HttpContext ctx, string operation, string? keyId) =>
        audit?.Record("admin@" + (ctx.RemoteAddress?.ToString() ?? "unix"), operation, keyId, "ok");

    private ThreadRecord LiveThread(HttpContext ctx)
    {
        var thread = store.GetThread(ctx.RouteValues["t"]);
        if (thread is null || thread.Deleted)
        {
            throw ApiException.NotFound("thread not found");
        }
        return thread;
    }

    private static ThreadKeyMaterial MaterialOf(ThreadRecord thread)
    {
        if (thread.AppData.Length == 0)
        {
            throw new ApiException(409, "thread has no encryption key (it was created with encryption off)");
        }
        try
        {
            return ThreadKeyMaterial.Parse(thread.AppData);
        }
        catch (KeyMaterialFormatException e)
        {
            throw new ApiException(500, "thread key metadata is corrupt: " + e.Message);
        }
    }

    private void WriteJobOrNull(Utf8JsonWriter w, string? jobId)
    {
        if (jobId is not null && jobs.Get(jobId) is { } job)
        {
            WriteJob(w, job);
        }
        else
        {
            w.WriteNullValue();
        }
    }

    private static void WriteJob(Utf8JsonWriter w, JobRecord job)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, job.Id);
        w.WriteString("kind"u8, job.Kind);
        w.WriteString("state"u8, job.State);
        w.WriteNumber("done"u8, job.Done);
        w.WriteNumber("total"u8, job.Total);
        w.WriteNumber("errors"u8, job.Errors);
        if (job.Message is not null)
        {
            w.WriteString("message"u8, job.Message);
        }
        w.WriteEndObject();
    }

    private static void WriteStarted(HttpContext ctx, string jobId, uint? dekVersion)
    {
        ctx.Response.StatusCode = 202;
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteString("job_id"u8, jobId);
        if (dekVersion is { } version)
        {
            w.WriteNumber("dek_version"u8, version);
        }
        w.WriteEndObject();
        w.Flush();
    }
}
