// The argument checks every key provider makes (embedded, external, fallback), in one place so they
// refuse the same inputs with the same words.
namespace Prg.Crypto;

internal static class ProviderArguments
{
    public static void CheckAad(RecordAad aad)
    {
        if (!aad.HasIds)
        {
            throw new ArgumentException("the record AAD needs a thread id and a record id", nameof(aad));
        }
    }

    /// <summary>A batch call's key id and items, each item's AAD included.</summary>
    public static void CheckBatch<T>(string keyId, IReadOnlyList<T> items, Func<T, RecordAad> aadOf)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentNullException.ThrowIfNull(items);
        for (int i = 0; i < items.Count; i++)
        {
            CheckAad(aadOf(items[i]));
        }
    }
}
