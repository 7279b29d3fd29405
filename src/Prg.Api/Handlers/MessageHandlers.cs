// /frontend/v1/threads/{t}/messages: post, list, get, edit (a new version), soft delete, versions.
// Parse, authorize, render: the chat service stores and seals.
using System.Globalization;
using Prg.Api.Chat;
using Prg.Api.Http;
using Prg.Api.Security;
using Prg.Http;
using Prg.Storage.Chat;

namespace Prg.Api.Handlers;

public sealed class MessageHandlers(IChatService chat, long maxResponseBytes = long.MaxValue)
{
    /// <summary>A default /versions page holds every version the default cap keeps.</summary>
    private const int DefaultVersionsLimit = 100;

    public async ValueTask Create(HttpContext ctx)
    {
        var caller = (Caller)ctx.Items!;
        var thread = Access.OwnedThread(chat, ctx);
        var body = ReadBody(ctx);
        var message = await chat.PostMessageAsync(thread, caller.User, body, ctx.Aborted)
            ?? throw ApiException.NotFound("thread not found");
        Access.WriteOne(ctx, 201, message.Key, "message"u8, w => Views.WriteMessage(w, message, body));
    }

    public async ValueTask List(HttpContext ctx)
    {
        var thread = Access.OwnedThread(chat, ctx);
        var query = PageQuery.Parse(ctx.Request, maxResponseBytes);
        using var page = await PageQuery.FetchAsync(() => chat.ListMessagesAsync(thread, query, ctx.Aborted));
        var w = ctx.Response.JsonWriter();
        WritePage(w, page);
        w.Flush();
    }

    /// <summary>A page of messages as GET messages answers it: the thread, its messages, the pagination.</summary>
    public static void WritePage(System.Text.Json.Utf8JsonWriter w, OpenMessagePage page)
    {
        w.WriteStartObject();
        w.WriteString("thread"u8, page.ThreadId);
        w.WriteStartArray("messages"u8);
        var repeated = new RepeatedJsonText();
        for (var i = 0; i < page.Items.Count; i++)
        {
            Views.WriteMessage(w, page.ThreadId, page.Items[i], page.Body(i), repeated);
        }
        w.WriteEndArray();
        Views.WritePagination(w, page.Page, m => m.Key);
        w.WriteEndObject();
    }

    public async ValueTask Get(HttpContext ctx)
    {
        var thread = Access.OwnedThread(chat, ctx);
        var message = Access.LiveMessage(chat, thread, ctx);
        var body = await chat.OpenBodyAsync(thread, message, ctx.Aborted);
        Access.WriteOne(ctx, 200, null, "message"u8, w => Views.WriteMessage(w, message, body));
    }

    public async ValueTask Edit(HttpContext ctx)
    {
        var thread = Access.OwnedThread(chat, ctx);
        var body = ReadBody(ctx);
        var result = await chat.EditMessageAsync(thread, ctx.RouteValues["m"], body, ctx.Aborted);
        switch (result.Status)
        {
            case EditStatus.Ok:
                Access.WriteOne(ctx, 200, result.Message!.Key, "message"u8, w => Views.WriteMessage(w, result.Message!, body));
                return;
            case EditStatus.NotFound:
                throw ApiException.NotFound("message not found");
            default:
                throw new ApiException(409, "message is being edited concurrently; retry");
        }
    }

    public async ValueTask Delete(HttpContext ctx)
    {
        var thread = Access.OwnedThread(chat, ctx);
        var message = Access.LiveMessage(chat, thread, ctx);
        if (!await chat.DeleteMessageAsync(thread, message.Key))
        {
            throw ApiException.NotFound("message not found");
        }
        Access.WriteKey(ctx, message.Key);
    }

    public async ValueTask Versions(HttpContext ctx)
    {
        var thread = Access.OwnedThread(chat, ctx);
        var message = Access.LiveMessage(chat, thread, ctx);
        var query = PageQuery.Parse(ctx.Request, maxResponseBytes, DefaultVersionsLimit);
        using var page = await PageQuery.FetchAsync(() => chat.ListVersionsAsync(thread, message.Key, query, ctx.Aborted))
            ?? throw ApiException.NotFound("message not found");
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteStartArray("versions"u8);
        var repeated = new RepeatedJsonText();
        for (var i = 0; i < page.Items.Count; i++)
        {
            Views.WriteMessage(w, page.Items[i], page.Plaintexts[i], repeated);
        }
        w.WriteEndArray();
        Views.WritePagination(w, page.Page, v => v.Version.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.Flush();
    }

    private static byte[] ReadBody(HttpContext ctx)
    {
        using var document = JsonBody.ParseObject(ctx.Request.BodyMemory);
        return JsonBody.RequiredValue(document.RootElement, "body");
    }
}
