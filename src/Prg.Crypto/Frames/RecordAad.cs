// Where a data frame belongs: the thread and the record inside it. Bound into the frame's AAD so a
// ciphertext copied to another thread, message, version or the title fails authentication.
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Prg.Crypto;

/// <summary>
/// The (thread id, record id) pair a data frame is bound to. The record id is the caller's choice,
/// by convention <c>"&lt;messageKey&gt;:v&lt;n&gt;"</c> for message versions and <c>"title"</c> for
/// the thread title (see the factory methods). A message version's record id is kept as its parts and
/// formatted into the caller's stack buffer when the AAD is built, so a page of 50 frames does not
/// allocate 50 strings; <see cref="RecordId"/> still gives the string (and equality compares the text).
/// </summary>
public readonly struct RecordAad : IEquatable<RecordAad>
{
    /// <summary>Record id used for a thread's title.</summary>
    public const string TitleRecordId = "title";

    /// <summary>Record ids up to this many chars are formatted on the stack.</summary>
    public const int StackRecordIdChars = 128;

    /// <summary>Digits of the largest version (a non-negative long).</summary>
    private const int MaxVersionDigits = 19;

    private readonly string? _recordId;
    private readonly string? _messageKey;
    private readonly long _version;

    public RecordAad(string threadId, string recordId)
    {
        ArgumentException.ThrowIfNullOrEmpty(threadId);
        ArgumentException.ThrowIfNullOrEmpty(recordId);
        ThreadId = threadId;
        _recordId = recordId;
    }

    private RecordAad(string threadId, string messageKey, long version)
    {
        ArgumentException.ThrowIfNullOrEmpty(threadId);
        ThreadId = threadId;
        _messageKey = messageKey;
        _version = version;
    }

    public string ThreadId { get; }

    /// <summary>The record id as a string (allocated for a message version: hot paths use <see cref="RecordIdChars"/>).</summary>
    public string RecordId => _recordId ?? (_messageKey is null ? null! : string.Create(CultureInfo.InvariantCulture, $"{_messageKey}:v{_version}"));

    /// <summary>False for <c>default(RecordAad)</c> (or an AAD missing either id).</summary>
    public bool HasIds => !string.IsNullOrEmpty(ThreadId) && (!string.IsNullOrEmpty(_recordId) || _messageKey is not null);

    /// <summary>The AAD of a thread's title.</summary>
    public static RecordAad ForTitle(string threadId) => new(threadId, TitleRecordId);

    /// <summary>The AAD of one stored version of a message: record id <c>"&lt;messageKey&gt;:v&lt;version&gt;"</c>.</summary>
    public static RecordAad ForMessageVersion(string threadId, string messageKey, long version)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageKey);
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        return new RecordAad(threadId, messageKey, version);
    }

    /// <summary>
    /// The record id's chars: the stored string, or a message version's id formatted into
    /// <paramref name="scratch"/> (a string only when it does not fit).
    /// </summary>
    public ReadOnlySpan<char> RecordIdChars(Span<char> scratch)
    {
        if (_messageKey is null)
        {
            return _recordId;
        }

        int prefix = _messageKey.Length + 2;
        if (prefix < scratch.Length && _version.TryFormat(scratch[prefix..], out int digits, default, CultureInfo.InvariantCulture))
        {
            _messageKey.CopyTo(scratch);
            scratch[prefix - 2] = ':';
            scratch[prefix - 1] = 'v';
            return scratch[..(prefix + digits)];
        }

        return RecordId;
    }

    /// <summary>Upper bound of <see cref="WriteRecordId"/>'s bytes.</summary>
    internal long MaxEncodedRecordIdLength => _messageKey is null
        ? AadWriter.MaxEncodedLength(_recordId)
        : AadWriter.MaxEncodedLength(_messageKey) + 2 + MaxVersionDigits;

    /// <summary>
    /// Writes the record id as the AAD encodes it (AadWriter.WriteId: length prefix, strict UTF-8)
    /// straight from a message version's parts, without formatting it as chars first. Returns the
    /// bytes written; <paramref name="destination"/> holds <see cref="MaxEncodedRecordIdLength"/>.
    /// </summary>
    internal int WriteRecordId(Span<byte> destination)
    {
        const string paramName = "recordId";
        if (_messageKey is null)
        {
            return AadWriter.WriteId(_recordId, destination, paramName);
        }

        int key = AadWriter.WriteUtf8(_messageKey, destination[2..], paramName);
        Span<byte> suffix = destination[(2 + key)..];
        suffix[0] = (byte)':';
        suffix[1] = (byte)'v';
        if (!Utf8Formatter.TryFormat(_version, suffix[2..], out int digits))
        {
            throw new InvalidOperationException("AAD buffer was sized too small");
        }

        return AadWriter.WriteLength(key + 2 + digits, destination, paramName);
    }

    [SkipLocalsInit] // the scratch is written before it is read
    public bool Equals(RecordAad other)
    {
        Span<char> mine = stackalloc char[StackRecordIdChars];
        Span<char> theirs = stackalloc char[StackRecordIdChars];
        return string.Equals(ThreadId, other.ThreadId, StringComparison.Ordinal)
            && RecordIdChars(mine).SequenceEqual(other.RecordIdChars(theirs));
    }

    public override bool Equals(object? obj) => obj is RecordAad other && Equals(other);

    [SkipLocalsInit]
    public override int GetHashCode()
    {
        Span<char> scratch = stackalloc char[StackRecordIdChars];
        return HashCode.Combine(ThreadId, string.GetHashCode(RecordIdChars(scratch), StringComparison.Ordinal));
    }

    public override string ToString() => $"RecordAad {{ ThreadId = {ThreadId}, RecordId = {RecordId} }}";

    public static bool operator ==(RecordAad left, RecordAad right) => left.Equals(right);

    public static bool operator !=(RecordAad left, RecordAad right) => !left.Equals(right);
}
