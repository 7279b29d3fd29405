// A page of one thread's messages mostly repeats a few authors: decoding each author's UTF-8 into
// a new string per message is waste, so the last one decoded is kept and handed out again.
using System.Text;

namespace Prg.Storage.Chat.Records;

/// <summary>The string of the last UTF-8 value seen, reused while the same bytes come again. Not thread-safe.</summary>
internal sealed class Utf8StringCache
{
    private byte[] _utf8 = [];
    private string _value = "";

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (!utf8.SequenceEqual(_utf8))
        {
            _value = Encoding.UTF8.GetString(utf8);
            _utf8 = utf8.ToArray();
        }
        return _value;
    }
}
