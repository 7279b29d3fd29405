// /frontend/v1/threads: create, list (the caller's own), get, update title, soft delete.
using System.Text;
using Prg.Api.Encryption;
using Prg.Api.Http;
using Prg.Api.Security;
using Prg.Crypto;
using Prg.Http;
using Prg.Storage.Chat;

namespace Prg.Api.Handlers;

public sealed class ThreadHandlers(ChatStore store, RecordCipher cipher, long maxResponseBytes = long.MaxValue)
{
    public async ValueTask Create(HttpContext ctx)
    {
        var caller = (Caller)ctx.Items!;
        string title;
        using (var body = JsonBody.ParseObject(ctx.Request.BodyMemory))
        {
            title = JsonBody.RequiredString(body.RootElement, "title");
        }
        var threadId = store.NewThreadId();
        try
        {
            var kms = await cipher.CreateThreadKeysAsync(threadId, ctx.Aborted);
            var titleBytes = Encoding.UTF8.GetBytes(title);
            var sealedTitle = await cipher.SealAsync(kms, RecordAad.ForTitle(threadId), titleBytes, ctx.Aborted);
            var thread = await store.CreateThreadAsync(threadId, caller.User, sealedTitle, kms, UnixNanos.Now());
            WriteKeyed(ctx, 201, thread, titleBytes);
        }
        finally
        {
            cipher.Settle(threadId);
        }
    }

    public async ValueTask List(HttpContext ctx)
    {
        var caller = (Caller)ctx.Items!;
        var query = PageQuery.Parse(ctx.Request, maxResponseBytes);
        var page = PageQuery.Fetch(() => store.ListThreads(caller.User, query));
        var titles = new byte[page.Items.Count][];
        for (var i = 0; i < titles.Length; i++)
        {
            var thread = page.Items[i];
            titles[i] = await cipher.OpenAsync(thread.Kms, RecordAad.ForTitle(thread.Id), thread.Title, ctx.Aborted);
        }
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteStartArray("threads"u8);
        for (var i = 0; i < titles.Length; i++)
        {
            Views.WriteThread(w, page.Items[i], titles[i]);
        }
        w.WriteEndArray();
        Views.WritePagination(w, page, t => t.Id);
        w.WriteEndObject();
        w.Flush();
    }

    public async ValueTask Get(HttpContext ctx)
    {
        var thread = Access.OwnedThread(store, ctx);
        var title = await cipher.OpenAsync(thread.Kms, RecordAad.ForTitle(thread.Id), thread.Title, ctx.Aborted);
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WritePropertyName("thread"u8);
        Views.WriteThread(w, thread, title);
        w.WriteEndObject();
        w.Flush();
    }

    public async ValueTask Update(HttpContext ctx)
    {
        var thread = Access.OwnedThread(store, ctx);
        string title;
        using (var body = JsonBody.ParseObject(ctx.Request.BodyMemory))
        {
            title = JsonBody.RequiredString(body.RootElement, "title");
        }
        var titleBytes = Encoding.UTF8.GetBytes(title);
        var sealedTitle = await cipher.SealAsync(thread.Kms, RecordAad.ForTitle(thread.Id), titleBytes, ctx.Aborted);
        var updated = await store.UpdateThreadAsync(thread.Id, sealedTitle, null, UnixNanos.Now())
            ?? throw ApiException.NotFound("thread not found");
        WriteKeyed(ctx, 200, updated, titleBytes);
    }

    public async ValueTask Delete(HttpContext ctx)
    {
        var thread = Access.OwnedThread(store, ctx);
        if (!await store.DeleteThreadAsync(thread.Id, UnixNanos.Now()))
        {
            throw ApiException.NotFound("thread not found");
        }
        Access.WriteKey(ctx, thread.Id);
    }

    private static void WriteKeyed(HttpContext ctx, int status, ThreadRecord thread, ReadOnlySpan<byte> title)
    {
        ctx.Response.StatusCode = status;
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteString("key"u8, thread.Id);
        w.WritePropertyName("thread"u8);
        Views.WriteThread(w, thread, title);
        w.WriteEndObject();
        w.Flush();
    }
}
