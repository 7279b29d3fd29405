// Ownership checks shared by the thread and message handlers (spec/api.md §4 access rules):
// missing or deleted -> 404, someone else's -> 403; and the single-record answers they share.
using System.Text.Json;
using Prg.Api.Chat;
using Prg.Api.Http;
using Prg.Api.Security;
using Prg.Http;
using Prg.Storage.Chat;

namespace Prg.Api.Handlers;

internal static class Access
{
    public static ThreadRecord OwnedThread(IChatService chat, HttpContext ctx)
    {
        var caller = (Caller)ctx.Items!;
        var thread = chat.GetThread(ctx.RouteValues["t"]);
        if (thread is null || thread.Deleted)
        {
            throw ApiException.NotFound("thread not found");
        }
        if (thread.Author != caller.User)
        {
            throw ApiException.Forbidden("access denied");
        }
        return thread;
    }

    public static MessageRecord LiveMessage(IChatService chat, ThreadRecord thread, HttpContext ctx)
    {
        var message = chat.GetMessage(thread, ctx.RouteValues["m"]);
        if (message is null || message.Deleted)
        {
            throw ApiException.NotFound("message not found");
        }
        return message;
    }

    /// <summary>Answers <c>{"key": key, name: view}</c> (no "key" when <paramref name="key"/> is null).</summary>
    public static void WriteOne(HttpContext ctx, int status, string? key, ReadOnlySpan<byte> name, Action<Utf8JsonWriter> view)
    {
        ctx.Response.StatusCode = status;
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        if (key is not null)
        {
            w.WriteString("key"u8, key);
        }
        w.WritePropertyName(name);
        view(w);
        w.WriteEndObject();
        w.Flush();
    }

    public static void WriteKey(HttpContext ctx, string key)
    {
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteString("key"u8, key);
        w.WriteEndObject();
        w.Flush();
    }
}
