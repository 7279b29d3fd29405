// IPageSource over the kept versions of one message; an id is a version number ("1", "2", ...).
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Prg.Storage.Chat.Lists;

internal sealed class VersionSource(int oldest, int current, Func<int, MessageRecord?> load) : IPageSource<MessageRecord>
{
    public static string Id(int version) => version.ToString(CultureInfo.InvariantCulture);

    public void CheckReference(string reference, bool isAnchor) => Parse(reference);

    public IPageWalk Walk(string? from, bool towardNewest)
        => new RangeWalk(from is null ? current : Parse(from) + (towardNewest ? 1 : -1), oldest, current, towardNewest);

    public MessageRecord? Load(string id) => load(Parse(id));

    public int SizeOf(MessageRecord item) => item.Body.Length + item.Author.Length + item.ThreadId.Length + 200;

    private int Parse(string reference)
    {
        if (!int.TryParse(reference, NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version < oldest || version > current)
        {
            throw new ChatKeyNotFoundException(ChatKeyKind.PageAnchor, reference);
        }

        return version;
    }

    private sealed class RangeWalk(int next, int oldest, int current, bool up) : IPageWalk
    {
        private int _next = next;

        public string? Cursor => null;

        public bool TryNext([NotNullWhen(true)] out string? id)
        {
            if (_next < oldest || _next > current)
            {
                id = null;
                return false;
            }
            id = Id(_next);
            _next += up ? 1 : -1;
            return true;
        }
    }
}
