// Where a data frame belongs: the thread and the record inside it. Bound into the frame's AAD so a
// ciphertext copied to another thread, message, version or the title fails authentication.
using System.Globalization;

namespace Prg.Crypto;

/// <summary>
/// The (thread id, record id) pair a data frame is bound to. The record id is the caller's choice,
/// by convention <c>"&lt;messageKey&gt;:v&lt;n&gt;"</c> for message versions and <c>"title"</c> for
/// the thread title (see the factory methods).
/// </summary>
public readonly record struct RecordAad
{
    /// <summary>Record id used for a thread's title.</summary>
    public const string TitleRecordId = "title";

    public RecordAad(string threadId, string recordId)
    {
        ArgumentException.ThrowIfNullOrEmpty(threadId);
        ArgumentException.ThrowIfNullOrEmpty(recordId);
        ThreadId = threadId;
        RecordId = recordId;
    }

    public string ThreadId { get; }

    public string RecordId { get; }

    /// <summary>The AAD of a thread's title.</summary>
    public static RecordAad ForTitle(string threadId) => new(threadId, TitleRecordId);

    /// <summary>The AAD of one stored version of a message: record id <c>"&lt;messageKey&gt;:v&lt;version&gt;"</c>.</summary>
    public static RecordAad ForMessageVersion(string threadId, string messageKey, long version)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageKey);
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        return new RecordAad(threadId, string.Create(CultureInfo.InvariantCulture, $"{messageKey}:v{version}"));
    }
}
