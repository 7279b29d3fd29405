// Reads a page's messages straight from the store into a MessagePage: each record's key is built in a
// reused buffer from the thread's key prefix (encoded once per page) and its value decoded in place in
// the store (DurableKv.Visit: no copy) into one of the page's rows, its body into the page's arena,
// without the ChatTx cache (a page reads each message once), all on one reader session.
using System.Buffers;
using System.Text;
using Prg.Storage.Chat.Records;
using Prg.Storage.Engine;

namespace Prg.Storage.Chat;

/// <summary>One page's reads of one thread's current message records (live ones only). Pooled with its page; not thread-safe.</summary>
internal sealed class MessageReader : DurableKv.ValueVisitor
{
    private const int MaxPrefetchBytes = 4096;

    private DurableKv.ReadRun? _reads;
    private MessagePage? _page;
    private byte[] _key = new byte[128];
    private int _prefixLength;
    private string _messageKey = "";
    private long _seq;
    private MessageRow? _loaded;

    /// <summary>Starts the reads of <paramref name="page"/>'s thread; <see cref="End"/> after the page.</summary>
    public void Begin(DurableKv kv, MessagePage page)
    {
        string prefix = KeySpace.Message(page.ThreadId, "");
        Reserve(Encoding.UTF8.GetMaxByteCount(prefix.Length));
        _prefixLength = Encoding.UTF8.GetBytes(prefix, _key);
        _page = page;
        _reads = kv.BeginReads();
    }

    /// <summary>The live message <paramref name="messageKey"/> (a key of this thread's index) added to the page, or null.</summary>
    public MessageRow? Load(string messageKey)
    {
        Reserve(_prefixLength + messageKey.Length);
        Span<byte> key = _key.AsSpan(0, _prefixLength + messageKey.Length);
        if (Ascii.FromUtf16(messageKey, key[_prefixLength..], out _) != OperationStatus.Done
            || !KeySpace.TryParseSeq(key[_prefixLength..], out _seq))
        {
            return null; // not a message key (those are ASCII digits and a dash)
        }

        _messageKey = messageKey;
        _loaded = null;
        _reads!.Visit(key, this);
        MessageRow? loaded = _loaded;
        _loaded = null;
        return loaded;
    }

    /// <summary>Hints that these messages (a page's next run, at most 64) are loaded soon.</summary>
    public void Prefetch(ReadOnlySpan<long> ts, ReadOnlySpan<long> seqs)
    {
        int keyLength = _prefixLength + KeySpace.TsDigits + 1 + KeySpace.SeqDigits;
        int count = Math.Min(Math.Min(seqs.Length, DurableKv.MaxPrefetch), MaxPrefetchBytes / keyLength); // only a hint: the first ones
        Span<byte> keys = stackalloc byte[keyLength * count];
        ReadOnlySpan<byte> prefix = _key.AsSpan(0, _prefixLength);
        for (int i = 0; i < count; i++)
        {
            Span<byte> key = keys.Slice(i * keyLength, keyLength);
            prefix.CopyTo(key);
            if (!KeySpace.TryWriteMessageKey(key[_prefixLength..], ts[i], seqs[i]))
            {
                return;
            }
        }

        _reads!.Prefetch(keys, keyLength);
    }

    public void End()
    {
        _reads?.Dispose();
        _reads = null;
        _page = null;
        _messageKey = "";
    }

    protected override void OnValue(ReadOnlySpan<byte> stored)
        => _loaded = MessageEntry.DecodeLive(stored, _page!, _messageKey, _seq);

    private void Reserve(int length)
    {
        if (_key.Length < length)
        {
            byte[] grown = new byte[Math.Max(length, _key.Length * 2)];
            _key.AsSpan(0, _prefixLength).CopyTo(grown);
            _key = grown;
        }
    }
}
