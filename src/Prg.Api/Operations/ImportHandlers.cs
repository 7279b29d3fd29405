// Admin routes that load exported data (`prg import` is their client) keeping what the ProgressDB
// routes assign themselves: keys, authors and timestamps. Each call is idempotent: a thread, message or
// version that is already there answers 200 "exists" and changes nothing, so a rerun of an import
// resumes it. A thread's updated_ts later than what is stored is applied (200 "updated").
//   POST /admin/import/threads                {"key","author","title","created_ts","updated_ts"}
//   POST /admin/import/threads/{t}/messages   {"key","author","created_ts","updated_ts","version","body"}
// Messages arrive oldest first and each message's versions in order (version 1 creates it, version n
// is an edit of n-1). A key made by prg is kept; another service's key (ProgressDB) gets a prg key and
// the mapping is recorded, so its later versions and a rerun find it.
using System.Text;
using System.Text.Json;
using Prg.Api.Encryption;
using Prg.Api.Http;
using Prg.Crypto;
using Prg.Http;
using Prg.Storage.Chat;

namespace Prg.Api.Operations;

public sealed class ImportHandlers(ChatStore store, RecordCipher cipher)
{
    public async ValueTask Thread(HttpContext ctx)
    {
        string key, author, title;
        long created, updated;
        using (JsonDocument body = JsonBody.ParseObject(ctx.Request.BodyMemory))
        {
            JsonElement root = body.RootElement;
            key = ValidThreadKey(JsonBody.RequiredString(root, "key"));
            author = ValidAuthor(JsonBody.RequiredString(root, "author"));
            title = JsonBody.RequiredString(root, "title");
            created = Timestamp(root, "created_ts", null);
            updated = Math.Max(created, Timestamp(root, "updated_ts", created));
        }
        string status = "exists";
        ThreadRecord? thread = Existing(key, author);
        if (thread is null)
        {
            try
            {
                byte[] kms = await cipher.CreateThreadKeysAsync(key, ctx.Aborted);
                byte[] sealedTitle = await cipher.SealAsync(kms, RecordAad.ForTitle(key), Encoding.UTF8.GetBytes(title), ctx.Aborted);
                thread = await store.CreateThreadAsync(key, author, sealedTitle, kms, created);
                status = "created";
            }
            catch (InvalidOperationException) when (Existing(key, author) is { } raced)
            {
                thread = raced; // a concurrent import of the same thread won
            }
            finally
            {
                cipher.Settle(key);
            }
        }
        // Moves the thread to its place in the author's by-updated list: the importer sends these last,
        // in updated order, so that list ends up in the source's order.
        if (updated > thread.UpdatedTs)
        {
            await store.UpdateThreadAsync(key, thread.Title, null, updated); // only a title write moves updated_ts
            status = status == "created" ? status : "updated";
        }
        WriteStatus(ctx, status == "created" ? 201 : 200, status, key);
    }

    public async ValueTask Message(HttpContext ctx)
    {
        ThreadRecord thread = store.GetThread(ctx.RouteValues["t"]) is { Deleted: false } found ? found : throw ApiException.NotFound("thread not found");
        string sourceKey, author;
        long created, updated;
        int version;
        byte[] body;
        using (JsonDocument document = JsonBody.ParseObject(ctx.Request.BodyMemory))
        {
            JsonElement root = document.RootElement;
            sourceKey = JsonBody.RequiredString(root, "key");
            author = ValidAuthor(JsonBody.RequiredString(root, "author"));
            created = Timestamp(root, "created_ts", null);
            updated = Math.Max(created, Timestamp(root, "updated_ts", created));
            version = root.TryGetProperty("version", out JsonElement v) && v.ValueKind != JsonValueKind.Null
                ? (v.TryGetInt32(out int n) && n >= 1 ? n : throw ApiException.BadRequest("validation errors: version: must be a whole number from 1"))
                : 1;
            body = JsonBody.RequiredValue(root, "body");
        }
        bool prgKey = KeySpaceKey(sourceKey);
        string? localKey = prgKey ? sourceKey : store.GetSys(MappingName(thread.Id, sourceKey)) is { } mapped ? Encoding.UTF8.GetString(mapped) : null;
        MessageRecord? existing = localKey is null ? null : store.GetMessage(thread.Id, localKey);
        if (existing is not null && existing.Version >= version)
        {
            WriteStatus(ctx, 200, "exists", localKey!);
            return;
        }
        if (version == 1)
        {
            MessageSlot slot = prgKey ? Reserve(() => store.ReserveImportedMessage(thread.Id, sourceKey)) : Reserve(() => store.ReserveMessage(thread.Id, created));
            byte[] sealedBody = await cipher.SealAsync(thread.AppData, RecordAad.ForMessageVersion(thread.Id, slot.Key, 1), body, ctx.Aborted);
            try
            {
                _ = await store.CreateMessageAsync(slot, author, sealedBody) ?? throw ApiException.NotFound("thread not found");
            }
            catch (InvalidOperationException)
            {
                throw new ApiException(409, $"message {sourceKey} collides with a different message already in thread {thread.Id}");
            }
            if (!prgKey)
            {
                await store.PutSysAsync(MappingName(thread.Id, sourceKey), Encoding.UTF8.GetBytes(slot.Key));
            }

            WriteStatus(ctx, 201, "created", slot.Key);
            return;
        }
        if (existing is null || existing.Version != version - 1)
        {
            throw new ApiException(409, $"version {version} of message {sourceKey} needs version {version - 1} first (have {existing?.Version ?? 0})");
        }

        byte[] sealedVersion = await cipher.SealAsync(thread.AppData, RecordAad.ForMessageVersion(thread.Id, existing.Key, version), body, ctx.Aborted);
        EditResult result = await store.EditMessageAsync(thread.Id, existing.Key, version - 1, sealedVersion, updated);
        if (result.Status != EditStatus.Ok)
        {
            throw new ApiException(409, $"message {sourceKey} changed while importing version {version}; retry");
        }

        WriteStatus(ctx, 201, "created", existing.Key);
    }

    private ThreadRecord? Existing(string key, string author)
    {
        ThreadRecord? thread = store.GetThread(key);
        if (thread is not null && (thread.Author != author || thread.Deleted))
        {
            throw new ApiException(409, $"thread {key} already exists here with another author or deleted");
        }

        return thread;
    }

    private static MessageSlot Reserve(Func<MessageSlot> reserve)
    {
        try
        {
            return reserve();
        }
        catch (ChatKeyNotFoundException)
        {
            throw ApiException.NotFound("thread not found");
        }
    }

    private static bool KeySpaceKey(string key) => KeySpace.TryParseMessageKey(key, out _, out _);

    private static string MappingName(string threadId, string sourceKey) => $"import:{threadId}:{sourceKey}";

    private static string ValidThreadKey(string key) =>
        KeySpace.IsValidThreadId(key) ? key : throw ApiException.BadRequest("validation errors: key: not a valid thread key");

    private static string ValidAuthor(string author) =>
        KeySpace.IsValidUserId(author) ? author : throw ApiException.BadRequest("validation errors: author: not a valid user id");

    private static long Timestamp(JsonElement root, string name, long? fallback)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback ?? throw ApiException.BadRequest($"validation errors: {name}: required");
        }

        return value.TryGetInt64(out long ts) && ts >= 0 ? ts : throw ApiException.BadRequest($"validation errors: {name}: must be Unix nanoseconds");
    }

    private static void WriteStatus(HttpContext ctx, int status, string what, string key)
    {
        ctx.Response.StatusCode = status;
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteString("status"u8, what);
        w.WriteString("key"u8, key);
        w.WriteEndObject();
        w.Flush();
    }
}
