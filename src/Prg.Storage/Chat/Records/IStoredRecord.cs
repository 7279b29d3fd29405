// Common shape of the chat records: each serializes itself with a leading record-type byte.
namespace Prg.Storage.Chat.Records;

/// <summary>A chat record that can be written to the KV.</summary>
internal interface IStoredRecord
{
    void WriteTo(ref RecordWriter writer);
}
