// The API's JSON views of threads, messages and pagination (spec/api.md §3, §5), written straight
// into the response with Utf8JsonWriter. The kms block is never part of these views.
using System.Text.Json;
using Prg.Storage.Chat;

namespace Prg.Api.Http;

public static class Views
{
    public static void WriteThread(Utf8JsonWriter w, ThreadRecord thread, ReadOnlySpan<byte> title)
    {
        w.WriteStartObject();
        w.WriteString("key"u8, thread.Id);
        w.WriteString("title"u8, title);
        w.WriteString("author"u8, thread.Author);
        w.WriteNumber("created_ts"u8, thread.CreatedTs);
        w.WriteNumber("updated_ts"u8, thread.UpdatedTs);
        w.WriteBoolean("deleted"u8, thread.Deleted);
        w.WriteString("last_read"u8, thread.LastRead);
        w.WriteNumber("unread"u8, thread.Unread);
        w.WriteEndObject();
    }

    /// <summary>
    /// A message with its opened body; a page passes <paramref name="repeated"/> so the thread id and a
    /// repeating author are encoded once, not per message.
    /// </summary>
    public static void WriteMessage(Utf8JsonWriter w, MessageRecord message, ReadOnlySpan<byte> bodyJson, RepeatedJsonText? repeated = null)
    {
        repeated ??= new RepeatedJsonText();
        MessageJson.Write(w, message.Key, repeated.Thread(message.ThreadId), repeated.Author(message.Author),
            message.CreatedTs, message.UpdatedTs, bodyJson, message.Deleted, message.Version);
    }

    /// <summary>A live message of a pooled page (<see cref="WriteMessage(Utf8JsonWriter, MessageRecord, ReadOnlySpan{byte}, RepeatedJsonText?)"/>'s view).</summary>
    public static void WriteMessage(Utf8JsonWriter w, string threadId, MessageRow message, ReadOnlySpan<byte> bodyJson, RepeatedJsonText repeated)
        => MessageJson.Write(w, message.Key, repeated.Thread(threadId), repeated.Author(message.Author),
            message.CreatedTs, message.UpdatedTs, bodyJson, deleted: false, message.Version);

    /// <summary>
    /// The anchors are the first and last item's keys, except where the page stopped scanning early: there
    /// the store's cursor is the reference to continue from (also on an otherwise empty page).
    /// </summary>
    public static void WritePagination<T>(Utf8JsonWriter w, Page<T> page, Func<T, string> keyOf)
    {
        w.WriteStartObject("pagination"u8);
        w.WriteString("before_anchor"u8, page.BeforeCursor ?? (page.Items.Count == 0 ? "" : keyOf(page.Items[0])));
        w.WriteString("after_anchor"u8, page.AfterCursor ?? (page.Items.Count == 0 ? "" : keyOf(page.Items[^1])));
        w.WriteBoolean("has_before"u8, page.HasBefore);
        w.WriteBoolean("has_after"u8, page.HasAfter);
        w.WriteNumber("count"u8, page.Items.Count);
        w.WriteNumber("total"u8, page.Total);
        w.WriteEndObject();
    }
}
