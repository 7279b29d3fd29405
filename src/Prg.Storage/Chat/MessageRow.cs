// One message of a MessagePage: its fields, and where its stored body sits in the page's arena.
namespace Prg.Storage.Chat;

/// <summary>
/// A live message of a page. Owned by its <see cref="MessagePage"/> and reused once the page is disposed:
/// read it (and <see cref="MessagePage.Body"/>) only while the page is in use.
/// </summary>
public sealed class MessageRow
{
    /// <summary>The message key <c>&lt;ts&gt;-&lt;seq&gt;</c>.</summary>
    public string Key { get; internal set; } = "";
    public long Seq { get; internal set; }
    public string Author { get; internal set; } = "";
    public long CreatedTs { get; internal set; }
    public long UpdatedTs { get; internal set; }
    /// <summary>The soft-delete time as stored (Unix ns): 0 for the live messages a page holds.</summary>
    public long DeletedTs { get; internal set; }
    /// <summary>1 for the original, incremented by every edit.</summary>
    public int Version { get; internal set; }

    internal int BodyStart { get; set; }
    internal int BodyLength { get; set; }

    /// <summary>Forgets the message (its key and author) before the row is reused.</summary>
    internal void Clear()
    {
        Key = "";
        Author = "";
        Seq = CreatedTs = UpdatedTs = DeletedTs = 0;
        Version = BodyStart = BodyLength = 0;
    }
}
