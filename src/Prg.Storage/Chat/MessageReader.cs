// Reads a page's messages straight from the store: each record's key is built in a stack buffer
// from the thread's key prefix (encoded once per page) and its value decoded in place in the store
// (DurableKv.Visit: no copy) into the public record directly, without the ChatTx cache (a page reads
// each message once) and without an intermediate MessageEntry, all on one reader session; the
// author string is shared by consecutive messages of the same author.
using System.Buffers;
using System.Text;
using Prg.Storage.Chat.Records;
using Prg.Storage.Engine;

namespace Prg.Storage.Chat;

/// <summary>One page's reads of one thread's current message records (live ones only). Not thread-safe; dispose after the page.</summary>
internal sealed class MessageReader : DurableKv.ValueVisitor, IDisposable
{
    private const int MaxStackKeyBytes = 512;
    private const int MaxPrefetchBytes = 4096;

    private readonly DurableKv.ReadRun _reads;
    private readonly string _threadId;
    private readonly byte[] _keyPrefix;
    private readonly Utf8StringCache _authors = new();
    private string _messageKey = "";
    private long _seq;
    private MessageRecord? _loaded;

    public MessageReader(DurableKv kv, string threadId)
    {
        _reads = kv.BeginReads();
        _threadId = threadId;
        _keyPrefix = Encoding.UTF8.GetBytes(KeySpace.Message(threadId, ""));
    }

    /// <summary>The live message <paramref name="messageKey"/> (a key of this thread's index), or null.</summary>
    public MessageRecord? Load(string messageKey)
    {
        int length = _keyPrefix.Length + messageKey.Length;
        Span<byte> key = length <= MaxStackKeyBytes ? stackalloc byte[length] : new byte[length];
        _keyPrefix.CopyTo(key);
        if (Ascii.FromUtf16(messageKey, key[_keyPrefix.Length..], out _) != OperationStatus.Done
            || !KeySpace.TryParseSeq(key[_keyPrefix.Length..], out _seq))
        {
            return null; // not a message key (those are ASCII digits and a dash)
        }

        _messageKey = messageKey;
        _loaded = null;
        _reads.Visit(key, this);
        MessageRecord? loaded = _loaded;
        _loaded = null;
        return loaded;
    }

    /// <summary>Hints that these messages (a page's next run, at most 64) are loaded soon.</summary>
    public void Prefetch(ReadOnlySpan<long> ts, ReadOnlySpan<long> seqs)
    {
        int keyLength = _keyPrefix.Length + KeySpace.TsDigits + 1 + KeySpace.SeqDigits;
        int count = Math.Min(Math.Min(seqs.Length, DurableKv.MaxPrefetch), MaxPrefetchBytes / keyLength); // only a hint: the first ones
        Span<byte> keys = stackalloc byte[keyLength * count];
        for (int i = 0; i < count; i++)
        {
            Span<byte> key = keys.Slice(i * keyLength, keyLength);
            _keyPrefix.CopyTo(key);
            if (!KeySpace.TryWriteMessageKey(key[_keyPrefix.Length..], ts[i], seqs[i]))
            {
                return;
            }
        }
        _reads.Prefetch(keys, keyLength);
    }

    public void Dispose() => _reads.Dispose();

    protected override void OnValue(ReadOnlySpan<byte> stored)
        => _loaded = MessageEntry.DecodeLive(stored, _authors, _threadId, _messageKey, _seq);
}
