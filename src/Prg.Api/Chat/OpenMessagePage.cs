// A page of a thread's messages with their bodies in plaintext: the pooled storage page and, in an
// encrypted store, the plaintexts opened into one pooled buffer; a plaintext store's bodies are read
// from the page's arena as stored, without a copy.
using System.Collections;
using Prg.Api.Encryption;
using Prg.Crypto;
using Prg.Storage.Chat;

namespace Prg.Api.Chat;

/// <summary>Row i's plaintext is <c>Body(i)</c>. Dispose once the page is written (clears both buffers).</summary>
public sealed class OpenMessagePage : IDisposable
{
    private readonly MessagePage _stored;
    private readonly DecryptedBatch? _plaintexts;
    private bool _disposed;

    private OpenMessagePage(MessagePage stored, DecryptedBatch? plaintexts)
    {
        _stored = stored;
        _plaintexts = plaintexts;
    }

    public string ThreadId => _stored.ThreadId;

    public Page<MessageRow> Page => _stored.Page;

    public IReadOnlyList<MessageRow> Items => _stored.Items;

    /// <summary>Row <paramref name="index"/>'s body in plaintext (valid until disposal).</summary>
    public ReadOnlySpan<byte> Body(int index) => _plaintexts is null ? _stored.Body(_stored.Items[index]) : _plaintexts[index];

    /// <summary>Opens <paramref name="stored"/>'s bodies (all of them, or the page fails) and takes ownership of it.</summary>
    internal static async ValueTask<OpenMessagePage> OpenAsync(MessagePage stored, ThreadRecord thread, RecordCipher cipher, CancellationToken ct)
    {
        try
        {
            DecryptedBatch? plaintexts = cipher.Enabled && stored.Items.Count > 0
                ? await cipher.OpenPageAsync(thread.AppData, new Frames(stored), ct)
                : null;
            return new OpenMessagePage(stored, plaintexts);
        }
        catch
        {
            stored.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        // Once only: after the first, the pooled page may already serve another request.
        if (!_disposed)
        {
            _disposed = true;
            _plaintexts?.Dispose();
            _stored.Dispose();
        }
    }

    /// <summary>The page's frames and AADs as the provider's batch takes them, without an array of them.</summary>
    private sealed class Frames(MessagePage page) : IReadOnlyList<(ReadOnlyMemory<byte> Frame, RecordAad Aad)>
    {
        public int Count => page.Items.Count;

        public (ReadOnlyMemory<byte> Frame, RecordAad Aad) this[int index]
        {
            get
            {
                MessageRow row = page.Items[index];
                return (page.BodyMemory(row), RecordAad.ForMessageVersion(page.ThreadId, row.Key, row.Version));
            }
        }

        public IEnumerator<(ReadOnlyMemory<byte> Frame, RecordAad Aad)> GetEnumerator()
        {
            for (int i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
