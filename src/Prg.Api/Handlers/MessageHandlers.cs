// /frontend/v1/threads/{t}/messages: post, list, get, edit (a new version), soft delete, versions.
// Each stored body is sealed with AAD naming its thread, message key and version.
using Prg.Api.Encryption;
using Prg.Api.Http;
using Prg.Api.Security;
using Prg.Crypto;
using Prg.Http;
using Prg.Storage.Chat;

namespace Prg.Api.Handlers;

public sealed class MessageHandlers(ChatStore store, RecordCipher cipher, long maxResponseBytes = long.MaxValue)
{
    private const int EditAttempts = 4;

    /// <summary>A default /versions page holds every version the default cap keeps.</summary>
    private const int DefaultVersionsLimit = 100;

    public async ValueTask Create(HttpContext ctx)
    {
        var caller = (Caller)ctx.Items!;
        var thread = Access.OwnedThread(store, ctx);
        var body = ReadBody(ctx);
        MessageSlot slot;
        try
        {
            slot = store.ReserveMessage(thread.Id, UnixNanos.Now);
        }
        catch (ChatKeyNotFoundException)
        {
            throw ApiException.NotFound("thread not found");
        }
        var sealedBody = await cipher.SealAsync(thread.Kms, RecordAad.ForMessageVersion(thread.Id, slot.Key, 1), body, ctx.Aborted);
        var message = await store.CreateMessageAsync(slot, caller.User, sealedBody)
            ?? throw ApiException.NotFound("thread not found");
        WriteKeyed(ctx, 201, message, body);
    }

    public async ValueTask List(HttpContext ctx)
    {
        var thread = Access.OwnedThread(store, ctx);
        var query = PageQuery.Parse(ctx.Request, maxResponseBytes);
        // The thread read for the ownership check is the one the page uses: read and decoded once.
        var page = PageQuery.Fetch(() => store.ListMessages(thread, query));
        using var bodies = await OpenAll(thread, page.Items, ctx);
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteString("thread"u8, thread.Id);
        w.WriteStartArray("messages"u8);
        for (var i = 0; i < bodies.Count; i++)
        {
            Views.WriteMessage(w, page.Items[i], bodies[i]);
        }
        w.WriteEndArray();
        Views.WritePagination(w, page, m => m.Key);
        w.WriteEndObject();
        w.Flush();
    }

    public async ValueTask Get(HttpContext ctx)
    {
        var thread = Access.OwnedThread(store, ctx);
        var message = Access.LiveMessage(store, thread, ctx);
        var body = await cipher.OpenAsync(thread.Kms, AadOf(message), message.Body, ctx.Aborted);
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WritePropertyName("message"u8);
        Views.WriteMessage(w, message, body);
        w.WriteEndObject();
        w.Flush();
    }

    public async ValueTask Edit(HttpContext ctx)
    {
        var thread = Access.OwnedThread(store, ctx);
        var body = ReadBody(ctx);
        for (var attempt = 0; attempt < EditAttempts; attempt++)
        {
            var current = Access.LiveMessage(store, thread, ctx);
            var next = current.Version + 1;
            var sealedBody = await cipher.SealAsync(thread.Kms, RecordAad.ForMessageVersion(thread.Id, current.Key, next), body, ctx.Aborted);
            var result = await store.EditMessageAsync(thread.Id, current.Key, current.Version, sealedBody, UnixNanos.Now());
            switch (result.Status)
            {
                case EditStatus.Ok:
                    WriteKeyed(ctx, 200, result.Message!, body);
                    return;
                case EditStatus.NotFound:
                    throw ApiException.NotFound("message not found");
            }
        }
        throw new ApiException(409, "message is being edited concurrently; retry");
    }

    public async ValueTask Delete(HttpContext ctx)
    {
        var thread = Access.OwnedThread(store, ctx);
        var message = Access.LiveMessage(store, thread, ctx);
        if (!await store.DeleteMessageAsync(thread.Id, message.Key, UnixNanos.Now()))
        {
            throw ApiException.NotFound("message not found");
        }
        Access.WriteKey(ctx, message.Key);
    }

    public async ValueTask Versions(HttpContext ctx)
    {
        var thread = Access.OwnedThread(store, ctx);
        var message = Access.LiveMessage(store, thread, ctx);
        var query = PageQuery.Parse(ctx.Request, maxResponseBytes, DefaultVersionsLimit);
        var page = PageQuery.Fetch(() => store.ListVersionPage(thread.Id, message.Key, query))
            ?? throw ApiException.NotFound("message not found");
        using var bodies = await OpenAll(thread, page.Items, ctx);
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteStartArray("versions"u8);
        for (var i = 0; i < bodies.Count; i++)
        {
            Views.WriteMessage(w, page.Items[i], bodies[i]);
        }
        w.WriteEndArray();
        Views.WritePagination(w, page, v => v.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.Flush();
    }

    // One provider call for the page, its plaintexts in one pooled buffer (disposed once written).
    private ValueTask<DecryptedBatch> OpenAll(ThreadRecord thread, IReadOnlyList<MessageRecord> messages, HttpContext ctx)
    {
        var items = new (ReadOnlyMemory<byte> Frame, RecordAad Aad)[messages.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = (messages[i].Body, AadOf(messages[i]));
        }
        return cipher.OpenPageAsync(thread.Kms, items, ctx.Aborted);
    }

    private static RecordAad AadOf(MessageRecord message) =>
        RecordAad.ForMessageVersion(message.ThreadId, message.Key, message.Version);

    private static byte[] ReadBody(HttpContext ctx)
    {
        using var document = JsonBody.ParseObject(ctx.Request.BodyMemory);
        return JsonBody.RequiredValue(document.RootElement, "body");
    }

    private static void WriteKeyed(HttpContext ctx, int status, MessageRecord message, ReadOnlySpan<byte> body)
    {
        ctx.Response.StatusCode = status;
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteString("key"u8, message.Key);
        w.WritePropertyName("message"u8);
        Views.WriteMessage(w, message, body);
        w.WriteEndObject();
        w.Flush();
    }
}
