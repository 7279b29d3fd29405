// The JSON of one feed event: {"id":n,"type":"message.created","thread":"<t>","ts":ns,"data":{…}}, where
// data is what the read routes return for the record now (message or thread view, body or title
// decrypted for the reader), {"key":…,"deleted":true} once the record is deleted or gone, or an inbox
// summary {"key":"<message key>","thread":"<t>"}.
using System.Text.Json;
using Prg.Api.Encryption;
using Prg.Api.Http;
using Prg.Crypto;
using Prg.Storage.Chat;

namespace Prg.Api.Feeds;

internal sealed class EventViews(ChatStore store, RecordCipher cipher)
{
    public static string TypeName(ChatEventKind kind) => kind switch
    {
        ChatEventKind.MessageCreated => "message.created",
        ChatEventKind.MessageUpdated => "message.updated",
        ChatEventKind.MessageDeleted => "message.deleted",
        ChatEventKind.ThreadUpdated => "thread.updated",
        ChatEventKind.ThreadDeleted => "thread.deleted",
        ChatEventKind.ThreadCreated => "thread.created",
        ChatEventKind.Read => "read",
        _ => throw new InvalidDataException($"Unknown feed event kind {kind}."),
    };

    /// <summary>
    /// Reads and decrypts what the event's data shows, for <paramref name="thread"/> as read for this batch
    /// (current keys). Everything that can fail happens here, before any byte of the event is written.
    /// </summary>
    public async ValueTask<EventData> LoadAsync(ChatEvent e, ThreadRecord thread, CancellationToken ct)
    {
        if (e.Kind is ChatEventKind.MessageCreated or ChatEventKind.MessageUpdated
            && store.GetMessage(e.ThreadId, e.MessageKey!) is { Deleted: false } message)
        {
            var body = await cipher.OpenAsync(thread.AppData, RecordAad.ForMessageVersion(message.ThreadId, message.Key, message.Version), message.Body, ct);
            return new EventData(thread, message, body, EventShape.Message);
        }
        if (e.Kind is ChatEventKind.ThreadUpdated or ChatEventKind.ThreadCreated && !thread.Deleted)
        {
            return new EventData(thread, null, await cipher.OpenAsync(thread.AppData, RecordAad.ForTitle(thread.Id), thread.Title, ct), EventShape.Thread);
        }
        return new EventData(thread, null, null, EventShape.Deleted);
    }

    public static void Write(Utf8JsonWriter w, ChatEvent e, EventData data)
    {
        w.WriteStartObject();
        w.WriteNumber("id"u8, e.Position);
        w.WriteString("type"u8, TypeName(e.Kind));
        w.WriteString("thread"u8, e.ThreadId);
        w.WriteNumber("ts"u8, e.Ts);
        w.WritePropertyName("data"u8);
        switch (data.Shape)
        {
            case EventShape.Message:
                Views.WriteMessage(w, data.Message!, data.Plaintext);
                break;
            case EventShape.Thread:
                Views.WriteThread(w, data.Thread!, data.Plaintext);
                break;
            case EventShape.Summary:
                w.WriteStartObject();
                w.WriteString("key"u8, e.MessageKey);
                w.WriteString("thread"u8, e.ThreadId);
                w.WriteEndObject();
                break;
            default:
                w.WriteStartObject();
                w.WriteString("key"u8, e.MessageKey ?? e.ThreadId);
                w.WriteBoolean("deleted"u8, true);
                w.WriteEndObject();
                break;
        }
        w.WriteEndObject();
    }

    /// <summary>A `ready` or `reset` frame (see <see cref="WriteControl"/>), rendered for one subscriber.</summary>
    public static FeedFrame ControlFrame(string type, string? threadId, long position) =>
        FeedFrame.Render(type, position, ends: false, w => WriteControl(w, type, threadId, position));

    /// <summary>
    /// {"id":n,"type":"ready"|"reset","thread":"<t>"}: where a feed opened without a cursor starts, or
    /// that the events up to the cursor are no longer kept (reload the thread, then continue from n).
    /// </summary>
    public static void WriteControl(Utf8JsonWriter w, string type, string? threadId, long position)
    {
        w.WriteStartObject();
        w.WriteNumber("id"u8, position);
        w.WriteString("type"u8, type);
        if (threadId is not null)
        {
            w.WriteString("thread"u8, threadId);
        }
        w.WriteEndObject();
    }
}

/// <summary>What an event's data shows: the message (with its body), the thread (with its title), an inbox summary, or that it is gone.</summary>
internal readonly record struct EventData(ThreadRecord? Thread, MessageRecord? Message, byte[]? Plaintext, EventShape Shape);

internal enum EventShape
{
    Deleted,
    Message,
    Thread,
    Summary,
}
