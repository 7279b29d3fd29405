// Reads and writes the KekRecord in the store's sys keyspace.
using System.Text.Json;
using Prg.Storage.Chat;

namespace Prg.Api.Encryption;

public sealed class KekStateStore(ChatStore store)
{
    public const string Key = "kms:kek";

    /// <summary>The recorded current KEK, or null if no rotation has ever finished.</summary>
    /// <exception cref="InvalidDataException">The record is corrupt.</exception>
    public KekRecord? Get()
    {
        byte[]? json = store.GetSys(Key);
        if (json is null)
        {
            return null;
        }
        KekRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(json, EncryptionJsonContext.Default.KekRecord);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the recorded master key state ({Key}) is not valid JSON: {e.Message}", e);
        }
        if (record is null || record.KekId.Length == 0 || record.KekVersion == 0)
        {
            throw new InvalidDataException($"the recorded master key state ({Key}) has no kek_id or kek_version");
        }
        return record;
    }

    public ValueTask SaveAsync(KekRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return store.PutSysAsync(Key, JsonSerializer.SerializeToUtf8Bytes(record, EncryptionJsonContext.Default.KekRecord));
    }
}
