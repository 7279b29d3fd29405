// A page of one thread's messages repeats the thread id on every message and mostly a few authors:
// their JSON text (escaped UTF-8) is made once and reused while the same string comes again, instead
// of transcoding and escape-checking it per message.
using System.Text.Json;

namespace Prg.Api.Http;

/// <summary>The encoded thread id and the last author of a page being written. Not thread-safe.</summary>
public sealed class RepeatedJsonText
{
    private Slot _thread;
    private Slot _author;

    public JsonEncodedText Thread(string threadId) => _thread.Of(threadId);

    public JsonEncodedText Author(string author) => _author.Of(author);

    private struct Slot
    {
        private string? _value;
        private JsonEncodedText _text;

        public JsonEncodedText Of(string value)
        {
            // The store shares one string per repeated author and the thread id across a page, so a
            // reference check catches the repeats; equal text in another string is encoded again.
            if (!ReferenceEquals(value, _value))
            {
                _text = JsonEncodedText.Encode(value);
                _value = value;
            }
            return _text;
        }
    }
}
