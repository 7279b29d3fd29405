// A page of one thread's live messages decoded into pooled memory: the row objects stay with the page
// between uses and the stored bodies (frames, or plaintext in a plaintext store) sit in one byte arena,
// so a page read allocates no record and no body array per message. Pages come from their store's
// small bounded pool (MessagePagePool); on return the arena is cleared (a plaintext store's bodies must
// not linger) and arrays grown past the caps are let go, so one 1000-message page does not pin its memory.
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat;

/// <summary>Rows in display order with their stored bodies. Not thread-safe; dispose once written.</summary>
public sealed class MessagePage : IDisposable
{
    internal const int MaxPooledRows = 256;
    internal const int MaxPooledBodyBytes = 256 * 1024;
    private const int InitialBodyBytes = 16 * 1024;

    private static readonly Page<MessageRow> s_empty = new([], false, false, 0);

    private MessageRow[] _rows = [];
    private int _rowCount;
    private byte[] _bodies = [];
    private int _bodyBytes;
    private readonly MessagePagePool _pool;
    private bool _rented;

    internal MessagePage(MessagePagePool pool) => _pool = pool;

    public string ThreadId { get; private set; } = "";

    public Page<MessageRow> Page { get; internal set; } = s_empty;

    public IReadOnlyList<MessageRow> Items => Page.Items;

    /// <summary>The reader that fills the page (pooled with it: its key buffer is reused).</summary>
    internal MessageReader Reader { get; } = new();

    /// <summary>The authors seen while decoding, so a repeating author is one string.</summary>
    internal Utf8StringCache Authors { get; } = new();

    /// <summary>The stored body of <paramref name="row"/> (a row of this page).</summary>
    public ReadOnlySpan<byte> Body(MessageRow row) => _bodies.AsSpan(row.BodyStart, row.BodyLength);

    /// <inheritdoc cref="Body"/>
    public ReadOnlyMemory<byte> BodyMemory(MessageRow row) => _bodies.AsMemory(row.BodyStart, row.BodyLength);

    /// <summary>Takes the (empty) page for <paramref name="threadId"/>'s reads.</summary>
    internal void Start(string threadId)
    {
        ThreadId = threadId;
        _rented = true;
    }

    /// <summary>A new row holding a copy of <paramref name="body"/>; the caller sets its other fields.</summary>
    internal MessageRow AddRow(ReadOnlySpan<byte> body)
    {
        if (_rowCount == _rows.Length)
        {
            Array.Resize(ref _rows, Math.Max(16, _rows.Length * 2));
        }

        MessageRow row = _rows[_rowCount] ??= new MessageRow();
        _rowCount++;
        if (body.Length > _bodies.Length - _bodyBytes)
        {
            byte[] grown = new byte[Math.Max(Math.Max(InitialBodyBytes, _bodies.Length * 2), _bodyBytes + body.Length)];
            _bodies.AsSpan(0, _bodyBytes).CopyTo(grown);
            _bodies.AsSpan(0, _bodyBytes).Clear();
            _bodies = grown;
        }

        body.CopyTo(_bodies.AsSpan(_bodyBytes));
        row.BodyStart = _bodyBytes;
        row.BodyLength = body.Length;
        _bodyBytes += body.Length;
        return row;
    }

    /// <summary>Clears the rows and bodies and returns the page to the pool (at most once).</summary>
    public void Dispose()
    {
        if (!_rented)
        {
            return;
        }

        _rented = false;
        for (int i = 0; i < _rowCount; i++)
        {
            _rows[i].Clear();
        }

        _bodies.AsSpan(0, _bodyBytes).Clear();
        _rowCount = 0;
        _bodyBytes = 0;
        Page = s_empty;
        ThreadId = "";
        if (_rows.Length > MaxPooledRows)
        {
            _rows = _rows[..MaxPooledRows];
        }

        if (_bodies.Length > MaxPooledBodyBytes)
        {
            _bodies = [];
        }

        _pool.Return(this);
    }

    /// <summary>The arena itself (tests: that a returned page's bodies were cleared).</summary>
    internal ReadOnlySpan<byte> Arena => _bodies;

    /// <summary>Rows kept for reuse (tests: the cap holds).</summary>
    internal int PooledRows => _rows.Length;
}
