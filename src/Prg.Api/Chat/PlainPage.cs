// A page of records and their user content in plaintext (titles or bodies), all in one pooled buffer.
using Prg.Crypto;
using Prg.Storage.Chat;

namespace Prg.Api.Chat;

/// <summary>Item i's plaintext is <c>Plaintexts[i]</c>. Dispose once the page is written (clears the buffer).</summary>
public sealed class PlainPage<T>(Page<T> page, DecryptedBatch plaintexts) : IDisposable
{
    public Page<T> Page { get; } = page;

    public DecryptedBatch Plaintexts { get; } = plaintexts;

    public IReadOnlyList<T> Items => Page.Items;

    public void Dispose() => Plaintexts.Dispose();
}
