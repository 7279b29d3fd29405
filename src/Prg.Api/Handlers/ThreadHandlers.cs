// /frontend/v1/threads: create, list (the caller's own), get, update title, soft delete.
// Parse, authorize, render: the chat service provisions keys, stores and seals.
using System.Text;
using Prg.Api.Chat;
using Prg.Api.Http;
using Prg.Api.Security;
using Prg.Http;
using Prg.Storage.Chat;

namespace Prg.Api.Handlers;

public sealed class ThreadHandlers(IChatService chat, long maxResponseBytes = long.MaxValue)
{
    public async ValueTask Create(HttpContext ctx)
    {
        var caller = (Caller)ctx.Items!;
        var title = ReadTitle(ctx);
        var thread = await chat.CreateThreadAsync(caller.User, title, ctx.Aborted);
        Access.WriteOne(ctx, 201, thread.Id, "thread"u8, w => Views.WriteThread(w, thread, title));
    }

    public async ValueTask List(HttpContext ctx)
    {
        var caller = (Caller)ctx.Items!;
        var query = PageQuery.Parse(ctx.Request, maxResponseBytes);
        using var page = await PageQuery.FetchAsync(() => chat.ListThreadsAsync(caller.User, query, ctx.Aborted));
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteStartArray("threads"u8);
        for (var i = 0; i < page.Items.Count; i++)
        {
            Views.WriteThread(w, page.Items[i], page.Plaintexts[i]);
        }
        w.WriteEndArray();
        Views.WritePagination(w, page.Page, t => t.Id);
        w.WriteEndObject();
        w.Flush();
    }

    public async ValueTask Get(HttpContext ctx)
    {
        var thread = Access.OwnedThread(chat, ctx);
        var title = await chat.OpenTitleAsync(thread, ctx.Aborted);
        Access.WriteOne(ctx, 200, null, "thread"u8, w => Views.WriteThread(w, thread, title));
    }

    public async ValueTask Update(HttpContext ctx)
    {
        var thread = Access.OwnedThread(chat, ctx);
        var title = ReadTitle(ctx);
        var updated = await chat.RenameThreadAsync(thread, title, ctx.Aborted)
            ?? throw ApiException.NotFound("thread not found");
        Access.WriteOne(ctx, 200, updated.Id, "thread"u8, w => Views.WriteThread(w, updated, title));
    }

    public async ValueTask Delete(HttpContext ctx)
    {
        var thread = Access.OwnedThread(chat, ctx);
        if (!await chat.DeleteThreadAsync(thread))
        {
            throw ApiException.NotFound("thread not found");
        }
        Access.WriteKey(ctx, thread.Id);
    }

    private static byte[] ReadTitle(HttpContext ctx)
    {
        using var body = JsonBody.ParseObject(ctx.Request.BodyMemory);
        return Encoding.UTF8.GetBytes(JsonBody.RequiredString(body.RootElement, "title"));
    }
}
