// THE one place every chat key format is defined, with the id escaping that keeps ids from aliasing.
using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Prg.Storage.Chat;

/// <summary>
/// All keys the chat store writes to the DurableKv, as UTF-8 strings. <c>&lt;t&gt;</c> is an escaped
/// thread id, <c>&lt;u&gt;</c> an escaped user id, <c>&lt;mk&gt;</c> a message key
/// <c>&lt;ts:19 digits&gt;-&lt;seq:12 digits&gt;</c> (fixed width, so keys sort by ts then seq).
/// <code>
/// thread:&lt;t&gt;:meta                    thread record: author, timestamps, title, app data (rarely changes)  [thread lock]
/// thread:&lt;t&gt;:state                   live-message count, seq high-water mark, deleted flag, ends of
///                                   the by-updated message list (changes with every post)      [thread lock]
/// thread:&lt;t&gt;:idx:&lt;n:12&gt;            created-order index chunk: ts and live/present bits of the
///                                   messages with seq in [n*64, n*64+64)                        [thread lock]
/// thread:&lt;t&gt;:msg:&lt;mk&gt;              message record: current body and version, no links           [thread lock]
/// thread:&lt;t&gt;:msg:&lt;mk&gt;:v:&lt;n&gt;        an earlier version n of the message (body, timestamps)      [thread lock]
/// thread:&lt;t&gt;:feed                    newest and oldest kept event position of the thread's feed    [thread lock]
/// thread:&lt;t&gt;:ev:&lt;n:19&gt;             feed event n: kind, time, message key (a pointer, no body)   [thread lock]
/// thread:&lt;t&gt;:read                    the owner's read mark: newest message read (never moves back)  [thread lock]
/// thread:&lt;t&gt;:upd:&lt;mk&gt;              a live message's prev/next in the by-updated list             [thread lock]
/// user:&lt;u&gt;:meta                      heads/tails of the user's by-created and by-updated thread
///                                   lists of live threads, live thread count                    [user lock]
/// user:&lt;u&gt;:feed, user:&lt;u&gt;:ev:&lt;n:19&gt; the user's inbox feed: state and events, as the thread feed's    [user lock]
/// user:&lt;u&gt;:thread:&lt;t&gt;               the thread's prev/next in those two lists                   [user lock]
/// sys:stats:&lt;i&gt;                     live threads, live messages of the threads in lock stripe i
///                                   (absolute values; the store's counts are their sum)  [thread lock stripe i]
/// sys:users, sys:users:&lt;u&gt;           list of every user id, in first-seen order (head / node)    [global lock]
/// sys:threads, sys:threads:&lt;t&gt;       every stored thread in creation order (head / node)         [global lock]
/// sys:deleted-threads[:&lt;t&gt;]          soft-deleted threads in delete order (retention queue)      [global lock]
/// sys:deleted-messages[:&lt;t&gt;:&lt;mk&gt;]    soft-deleted messages in delete order (retention queue)     [global lock]
/// sys:kv:&lt;name&gt;                     opaque values for other features (jobs, rotation progress)
/// </code>
/// Each record is modified only under the lock in brackets, so concurrent writers never overwrite
/// each other's changes. Escaping: <c>%</c> → <c>%25</c>, <c>:</c> → <c>%3A</c>; ids are never empty,
/// so no escaped id can contain a separator or be a prefix-alias of another key.
/// </summary>
public static class KeySpace
{
    /// <summary>Width of the timestamp part of a message key.</summary>
    public const int TsDigits = 19;

    /// <summary>Width of the sequence part of a message key.</summary>
    public const int SeqDigits = 12;

    /// <summary>Largest per-thread sequence number a message key can hold.</summary>
    public const long MaxSeq = 999_999_999_999;

    /// <summary>Largest user id, in UTF-8 bytes.</summary>
    public const int MaxUserIdBytes = 128;

    /// <summary>Largest thread id, in UTF-8 bytes.</summary>
    public const int MaxThreadIdBytes = 128;

    public const string StatsPrefix = "sys:stats:";
    public const string UsersHeadKey = "sys:users";
    public const string ThreadsHeadKey = "sys:threads";
    public const string DeletedThreadsHeadKey = "sys:deleted-threads";
    public const string DeletedMessagesHeadKey = "sys:deleted-messages";

    public static string ThreadMeta(string threadId) => $"thread:{Escape(threadId)}:meta";

    public static string Message(string threadId, string messageKey) => $"thread:{Escape(threadId)}:msg:{messageKey}";

    public static string MessageVersion(string threadId, string messageKey, int version)
        => $"thread:{Escape(threadId)}:msg:{messageKey}:v:{version.ToString(CultureInfo.InvariantCulture)}";

    public static string ThreadMessages(string threadId) => $"thread:{Escape(threadId)}:state";

    public static string IndexChunk(string threadId, long chunk)
        => $"thread:{Escape(threadId)}:idx:{chunk.ToString("D" + SeqDigits, CultureInfo.InvariantCulture)}";

    public static string ThreadFeed(string threadId) => $"thread:{Escape(threadId)}:feed";

    public static string FeedEvent(string threadId, long position)
        => $"thread:{Escape(threadId)}:ev:{position.ToString("D" + TsDigits, CultureInfo.InvariantCulture)}";

    public static string ThreadRead(string threadId) => $"thread:{Escape(threadId)}:read";

    public static string UserFeed(string userId) => $"user:{Escape(userId)}:feed";

    public static string UserFeedEvent(string userId, long position)
        => $"user:{Escape(userId)}:ev:{position.ToString("D" + TsDigits, CultureInfo.InvariantCulture)}";

    public static string MessageLink(string threadId, string messageKey) => $"thread:{Escape(threadId)}:upd:{messageKey}";

    public static string StatsStripe(int stripe) => StatsPrefix + stripe.ToString(CultureInfo.InvariantCulture);

    public static string UserMeta(string userId) => $"user:{Escape(userId)}:meta";

    public static string UserThreadNode(string userId, string threadId) => $"user:{Escape(userId)}:thread:{Escape(threadId)}";

    public static string UsersNode(string userId) => $"{UsersHeadKey}:{Escape(userId)}";

    public static string ThreadsNode(string threadId) => $"{ThreadsHeadKey}:{Escape(threadId)}";

    public static string DeletedThreadNode(string threadId) => $"{DeletedThreadsHeadKey}:{Escape(threadId)}";

    public static string DeletedMessageNode(string threadId, string messageKey) => $"{DeletedMessagesHeadKey}:{Escape(threadId)}:{messageKey}";

    public static string Sys(string name) => $"sys:kv:{Escape(name)}";

    /// <summary>Builds the message key <c>&lt;ts&gt;-&lt;seq&gt;</c> (fixed width).</summary>
    public static string MessageKey(long ts, long seq)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ts);
        ArgumentOutOfRangeException.ThrowIfLessThan(seq, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seq, MaxSeq);
        // One string per key (a page builds one per message): both numbers formatted into it directly.
        return string.Create(TsDigits + 1 + SeqDigits, (ts, seq), static (chars, parts) =>
        {
            parts.ts.TryFormat(chars[..TsDigits], out _, "D19", CultureInfo.InvariantCulture);
            chars[TsDigits] = '-';
            parts.seq.TryFormat(chars[(TsDigits + 1)..], out _, "D12", CultureInfo.InvariantCulture);
        });
    }

    /// <summary>Writes <see cref="MessageKey"/>'s characters as ASCII (a record key built in a stack buffer); false if it does not fit.</summary>
    public static bool TryWriteMessageKey(Span<byte> ascii, long ts, long seq)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ts);
        ArgumentOutOfRangeException.ThrowIfLessThan(seq, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seq, MaxSeq);
        if (ascii.Length < TsDigits + 1 + SeqDigits)
        {
            return false;
        }

        ascii[TsDigits] = (byte)'-';
        return Utf8Formatter.TryFormat(ts, ascii[..TsDigits], out _, new StandardFormat('D', TsDigits))
            && Utf8Formatter.TryFormat(seq, ascii.Slice(TsDigits + 1, SeqDigits), out _, new StandardFormat('D', SeqDigits));
    }

    /// <summary>Parses a message key; false for anything not produced by <see cref="MessageKey"/>.</summary>
    public static bool TryParseMessageKey(string? messageKey, out long ts, out long seq)
    {
        ts = 0;
        seq = 0;
        if (messageKey is null || messageKey.Length != TsDigits + 1 + SeqDigits || messageKey[TsDigits] != '-')
        {
            return false;
        }

        ReadOnlySpan<char> tsPart = messageKey.AsSpan(0, TsDigits);
        ReadOnlySpan<char> seqPart = messageKey.AsSpan(TsDigits + 1);
        if (!AllDigits(tsPart) || !AllDigits(seqPart))
        {
            return false;
        }

        return long.TryParse(tsPart, NumberStyles.None, CultureInfo.InvariantCulture, out ts)
            && long.TryParse(seqPart, NumberStyles.None, CultureInfo.InvariantCulture, out seq)
            && seq >= 1;
    }

    /// <summary>
    /// The seq of a message key in ASCII (a page's record key, already encoded): one pass over the
    /// seq digits, where <see cref="TryParseMessageKey"/> validates and parses both numbers of a string.
    /// </summary>
    public static bool TryParseSeq(ReadOnlySpan<byte> messageKey, out long seq)
    {
        seq = 0;
        if (messageKey.Length != TsDigits + 1 + SeqDigits || messageKey[TsDigits] != (byte)'-' || messageKey[..TsDigits].ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return false;
        }

        foreach (byte b in messageKey[(TsDigits + 1)..])
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            seq = (seq * 10) + digit;
        }
        return seq >= 1;
    }

    /// <summary>The seq of a key produced by <see cref="MessageKey"/>.</summary>
    /// <exception cref="InvalidDataException">A stored key is malformed.</exception>
    public static long SeqOf(string messageKey)
        => TryParseMessageKey(messageKey, out _, out long seq) ? seq : throw new InvalidDataException($"Malformed message key '{messageKey}'.");

    /// <summary>Escapes an id for use inside a key (<c>%</c> and <c>:</c> are percent-encoded).</summary>
    public static string Escape(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (id.AsSpan().IndexOfAny('%', ':') < 0)
        {
            return id;
        }

        var sb = new StringBuilder(id.Length + 8);
        foreach (char c in id)
        {
            switch (c)
            {
                case '%': sb.Append("%25"); break;
                case ':': sb.Append("%3A"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Inverse of <see cref="Escape"/>.</summary>
    /// <exception cref="FormatException">The text is not an escaped id.</exception>
    public static string Unescape(string escaped)
    {
        ArgumentException.ThrowIfNullOrEmpty(escaped);
        if (escaped.Contains(':'))
        {
            throw new FormatException("An escaped id cannot contain ':'.");
        }

        if (!escaped.Contains('%'))
        {
            return escaped;
        }

        var sb = new StringBuilder(escaped.Length);
        for (int i = 0; i < escaped.Length; i++)
        {
            char c = escaped[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }
            ReadOnlySpan<char> code = i + 2 < escaped.Length ? escaped.AsSpan(i + 1, 2) : [];
            if (code.SequenceEqual("25"))
            {
                sb.Append('%');
            }
            else if (code.SequenceEqual("3A"))
            {
                sb.Append(':');
            }
            else
            {
                throw new FormatException($"Invalid escape at position {i}.");
            }

            i += 2;
        }
        return sb.ToString();
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="userId"/> is 1-128 UTF-8 bytes without control characters.</summary>
    public static void ValidateUserId(string? userId, string paramName = "userId")
        => ValidateId(userId, MaxUserIdBytes, "user id", paramName);

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="threadId"/> is 1-128 UTF-8 bytes without control characters.</summary>
    public static void ValidateThreadId(string? threadId, string paramName = "threadId")
        => ValidateId(threadId, MaxThreadIdBytes, "thread id", paramName);

    /// <summary>True if a thread with this id could exist (lookups of any other id find nothing).</summary>
    public static bool IsValidThreadId(string? threadId) => IdProblem(threadId, MaxThreadIdBytes, "thread id") is null;

    /// <summary>True if a user with this id could exist.</summary>
    public static bool IsValidUserId(string? userId) => IdProblem(userId, MaxUserIdBytes, "user id") is null;

    private static void ValidateId(string? id, int maxBytes, string what, string paramName)
    {
        if (IdProblem(id, maxBytes, what) is { } problem)
        {
            throw new ArgumentException(problem, paramName);
        }
    }

    private static string? IdProblem(string? id, int maxBytes, string what)
    {
        if (string.IsNullOrEmpty(id))
        {
            return $"The {what} must not be empty.";
        }

        int bytes;
        try
        {
            bytes = new UTF8Encoding(false, throwOnInvalidBytes: true).GetByteCount(id);
        }
        catch (EncoderFallbackException)
        {
            return $"The {what} is not valid UTF-16 text.";
        }
        if (bytes > maxBytes)
        {
            return $"The {what} is {bytes} bytes; the limit is {maxBytes}.";
        }

        foreach (char c in id)
        {
            if (char.IsControl(c))
            {
                return $"The {what} must not contain control characters.";
            }
        }
        return null;
    }

    private static bool AllDigits(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        return true;
    }
}
