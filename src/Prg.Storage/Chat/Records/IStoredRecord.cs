// Common shape of the chat records: a leading record-type byte, then the fields the record lists once
// for both reading and writing (RecordFields).
namespace Prg.Storage.Chat.Records;

/// <summary>A chat record that can be written to the KV and read back.</summary>
internal interface IStoredRecord
{
    /// <summary>The leading byte (<see cref="RecordType"/>), which is also the record's format version.</summary>
    byte Type { get; }

    /// <summary>Walks the fields in stored order; <paramref name="fields"/> reads or writes each.</summary>
    void Fields(ref RecordFields fields);

    void WriteTo(ref RecordWriter writer) => RecordFields.Write(ref writer, this);
}
