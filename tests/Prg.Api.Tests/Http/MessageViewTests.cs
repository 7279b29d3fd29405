// A page of messages written with its repeated strings encoded once (RepeatedJsonText) is byte for
// byte the page written message by message, whatever the authors and thread id hold.
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
        UpdatedTs = seq + 1,
        Version = 1,
        Body = [],
    };

    private static string Write(IReadOnlyList<MessageRecord> page, RepeatedJsonText? repeated)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            w.WriteStartArray();
            foreach (MessageRecord m in page)
            {
                Views.WriteMessage(w, m, """{"text":"hi"}"""u8, repeated);
            }
            w.WriteEndArray();
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

        string expected = Write(page, null);
        Assert.Equal(expected, Write(page, new RepeatedJsonText()));
        using var parsed = JsonDocument.Parse(expected);
        Assert.Equal(authors, parsed.RootElement.EnumerateArray().Select(m => m.GetProperty("author").GetString()));
        Assert.All(parsed.RootElement.EnumerateArray(), m => Assert.Equal(thread, m.GetProperty("thread").GetString()));
    }
}
