// A page of messages written with its repeated strings encoded once (RepeatedJsonText), each message
// built as raw bytes (MessageJson), is byte for byte the page Utf8JsonWriter writes property by
// property, whatever the authors, thread id and bodies hold.
using System.Buffers;
using System.Text;
using System.Text.Json;
using Prg.Api.Http;
using Prg.Storage.Chat;

namespace Prg.Api.Tests.Http;

public class MessageViewTests
{
    private static MessageRecord Message(string thread, string author, long seq) => new()
    {
        ThreadId = thread,
        Key = KeySpace.MessageKey(1_700_000_000_000_000_000 + seq, seq),
        Seq = seq,
        Author = author,
        CreatedTs = seq,
        UpdatedTs = seq * 1_000_000_000_000 + 1,
        Deleted = seq % 3 == 0,
        Version = (int)seq * 1000,
        Body = [],
    };

    private static string Write(IReadOnlyList<MessageRecord> page, RepeatedJsonText? repeated) => Render(page, (w, m) => Views.WriteMessage(w, m, Body(m), repeated));

    // The message view as the writer writes it property by property: what the API has always answered.
    private static string WriteByProperty(IReadOnlyList<MessageRecord> page) => Render(page, (w, m) =>
    {
        w.WriteStartObject();
        w.WriteString("key"u8, m.Key);
        w.WriteString("thread"u8, m.ThreadId);
        w.WriteString("author"u8, m.Author);
        w.WriteNumber("created_ts"u8, m.CreatedTs);
        w.WriteNumber("updated_ts"u8, m.UpdatedTs);
        w.WritePropertyName("body"u8);
        w.WriteRawValue(Body(m), skipInputValidation: true);
        w.WriteBoolean("deleted"u8, m.Deleted);
        w.WriteNumber("version"u8, m.Version);
        w.WriteEndObject();
    });

    // A body long enough for the pooled path on every fourth message, unicode in all.
    private static byte[] Body(MessageRecord m) =>
        Encoding.UTF8.GetBytes($$"""{"text":"hé 😀 \u2028 ü {{new string('x', m.Seq % 4 == 0 ? 3000 : (int)m.Seq)}}"}""");

    private static string Render(IReadOnlyList<MessageRecord> page, Action<Utf8JsonWriter, MessageRecord> writeMessage)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("messages"u8);
            foreach (MessageRecord m in page)
            {
                writeMessage(w, m);
            }
            w.WriteEndArray();
            w.WritePropertyName("one"u8);
            writeMessage(w, page[0]);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData("t-1")]
    [InlineData("t \"quoted\" <é> \u2028")]
    public void A_page_with_repeated_text_is_the_page_written_message_by_message(string thread)
    {
        // Authors repeat, alternate, need escaping, and come back as equal text in another string.
        string[] authors = ["alice", "alice", "bob \"b\" <&>", "alice", "zoë\n", "zoë\n", new string("alice".ToCharArray())];
        var page = authors.Select((a, i) => Message(thread, a, i + 1)).ToList();

        string expected = WriteByProperty(page);
        Assert.Equal(expected, Write(page, null));
        Assert.Equal(expected, Write(page, new RepeatedJsonText()));
        using var parsed = JsonDocument.Parse(expected);
        var messages = parsed.RootElement.GetProperty("messages");
        Assert.Equal(authors, messages.EnumerateArray().Select(m => m.GetProperty("author").GetString()));
        Assert.All(messages.EnumerateArray(), m => Assert.Equal(thread, m.GetProperty("thread").GetString()));
    }
}
