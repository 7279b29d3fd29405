// Reads a page's messages straight from the store: each record's key is built in a stack buffer
// from the thread's key prefix (encoded once per page) and read without the ChatTx cache (a page
// reads each message once), so no key string or cache entry is made per message; the author
// string is shared by consecutive messages of the same author.
using System.Buffers;
using System.Text;
using Prg.Storage.Chat.Records;
using Prg.Storage.Engine;

namespace Prg.Storage.Chat;

/// <summary>One page's reads of one thread's current message records (live ones only). Not thread-safe.</summary>
internal sealed class MessageReader
{
    private const int MaxStackKeyBytes = 512;

    private readonly DurableKv _kv;
    private readonly string _threadId;
    private readonly byte[] _keyPrefix;
    private readonly DurableKv.ValueDecoder<MessageRecord?> _decode;
    private readonly Utf8StringCache _authors = new();
    private string _messageKey = "";

    public MessageReader(DurableKv kv, string threadId)
    {
        _kv = kv;
        _threadId = threadId;
        _keyPrefix = Encoding.UTF8.GetBytes(KeySpace.Message(threadId, ""));
        _decode = Decode;
    }

    /// <summary>The live message <paramref name="messageKey"/> (a key of this thread's index), or null.</summary>
    public MessageRecord? Load(string messageKey)
    {
        int length = _keyPrefix.Length + messageKey.Length;
        Span<byte> key = length <= MaxStackKeyBytes ? stackalloc byte[length] : new byte[length];
        _keyPrefix.CopyTo(key);
        if (Ascii.FromUtf16(messageKey, key[_keyPrefix.Length..], out _) != OperationStatus.Done)
        {
            return null; // not a message key (those are ASCII digits and a dash)
        }

        _messageKey = messageKey;
        return _kv.Read(key, _decode, null);
    }

    private MessageRecord? Decode(ReadOnlySpan<byte> stored)
        => MessageEntry.Decode(stored, _authors) is { Deleted: false } entry ? entry.ToPublic(_threadId, _messageKey) : null;
}
