// POST /v1/threads/{t}/read {"up_to":"<message key>"}: the owner's read mark, which never moves back;
// answers the mark in force and the O(1) unread count, and puts a `read` event on the owner's inbox.
using Prg.Api.Chat;
using Prg.Api.Handlers;
using Prg.Api.Http;
using Prg.Http;

namespace Prg.Api.Feeds;

public sealed class ReadHandlers(IChatService chat)
{
    public async ValueTask MarkRead(HttpContext ctx)
    {
        var thread = Access.OwnedThread(chat, ctx);
        string upTo;
        using (var body = JsonBody.ParseObject(ctx.Request.BodyMemory))
        {
            upTo = JsonBody.RequiredString(body.RootElement, "up_to");
        }
        var state = await chat.MarkReadAsync(thread, upTo)
            ?? throw ApiException.NotFound("message not found");
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteString("thread"u8, thread.Id);
        w.WriteString("last_read"u8, state.LastRead);
        w.WriteNumber("unread"u8, state.Unread);
        w.WriteEndObject();
        w.Flush();
    }
}
