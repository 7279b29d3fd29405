// Health, readiness, user signing and the admin routes (spec/api.md §2, §4, §6).
using System.Text;
using Prg.Api.Auth;
using Prg.Api.Chat;
using Prg.Api.Http;
using Prg.Api.Metrics;
using Prg.Http;
using Prg.Storage.Chat;

namespace Prg.Api.Handlers;

public sealed class SystemHandlers(IChatService chat, UserSignature signatures, ApiMetrics metrics, Func<bool> isReady, KeyServiceProbe? keyService)
{
    private static readonly byte[] s_ok = """{"status":"ok"}"""u8.ToArray();
    private static readonly byte[] s_adminHealth = """{"status":"ok","service":"progressdb"}"""u8.ToArray();
    private static readonly byte[] s_ready = Encoding.UTF8.GetBytes($$"""{"status":"ok","version":"{{BuildInfo.Version}}"}""");

    public ValueTask Health(HttpContext ctx)
    {
        ctx.Response.WriteRaw(200, s_ok, ContentTypes.Json);
        return ValueTask.CompletedTask;
    }

    /// <summary>200 once started, while the external key service (if any) answers; else 503.</summary>
    public async ValueTask Ready(HttpContext ctx)
    {
        if (isReady() && (keyService is null || await keyService.IsUpAsync()))
        {
            ctx.Response.WriteRaw(200, s_ready, ContentTypes.Json);
        }
        else
        {
            ctx.Response.WriteError(503, "not ready");
        }
    }

    public ValueTask AdminHealth(HttpContext ctx)
    {
        ctx.Response.WriteRaw(200, s_adminHealth, ContentTypes.Json);
        return ValueTask.CompletedTask;
    }

    public ValueTask Sign(HttpContext ctx)
    {
        string userId;
        using (var body = JsonBody.ParseObject(ctx.Request.BodyMemory))
        {
            userId = JsonBody.RequiredString(body.RootElement, "userId");
        }
        var error = UserId.ValidateForSigning(Encoding.UTF8.GetBytes(userId));
        if (error != UserIdError.None)
        {
            throw ApiException.BadRequest("invalid userId: " + UserId.Describe(error, forSigning: true));
        }
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteString("userId"u8, userId);
        w.WriteString("signature"u8, signatures.Sign(userId));
        w.WriteEndObject();
        w.Flush();
        return ValueTask.CompletedTask;
    }

    public ValueTask Stats(HttpContext ctx)
    {
        var stats = chat.Stats;
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteNumber("threads"u8, stats.LiveThreads);
        w.WriteNumber("messages"u8, stats.LiveMessages);
        w.WriteEndObject();
        w.Flush();
        return ValueTask.CompletedTask;
    }

    public ValueTask Users(HttpContext ctx) =>
        WriteKeys(ctx, "users"u8, PageQuery.Fetch(() => chat.ListUsers(PageQuery.Parse(ctx.Request))));

    public ValueTask UserThreads(HttpContext ctx) =>
        WriteKeys(ctx, "threads"u8, PageQuery.Fetch(() => chat.ListUserThreadIds(ctx.RouteValues["u"], PageQuery.Parse(ctx.Request))));

    public ValueTask ThreadMessages(HttpContext ctx)
    {
        var thread = chat.GetThread(ctx.RouteValues["t"]);
        if (thread is null || thread.Deleted || thread.Author != ctx.RouteValues["u"])
        {
            throw ApiException.NotFound("thread not found");
        }
        return WriteKeys(ctx, "messages"u8, PageQuery.Fetch(() => chat.ListMessageKeys(thread, PageQuery.Parse(ctx.Request))));
    }

    public async ValueTask Purge(HttpContext ctx, Retention retention)
    {
        var removed = await retention.RunAsync();
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteString("status"u8, "done");
        w.WriteNumber("purged"u8, removed);
        w.WriteEndObject();
        w.Flush();
    }

    public ValueTask Prometheus(HttpContext ctx)
    {
        var body = ctx.Response.Body;
        body.Clear();
        metrics.WritePrometheus(body, chat.Stats);
        ctx.Response.ContentType = ContentTypes.Prometheus;
        return ValueTask.CompletedTask;
    }

    private static ValueTask WriteKeys(HttpContext ctx, ReadOnlySpan<byte> name, Page<string> page)
    {
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteStartArray(name);
        foreach (var key in page.Items)
        {
            w.WriteStringValue(key);
        }
        w.WriteEndArray();
        Views.WritePagination(w, page, k => k);
        w.WriteEndObject();
        w.Flush();
        return ValueTask.CompletedTask;
    }
}
