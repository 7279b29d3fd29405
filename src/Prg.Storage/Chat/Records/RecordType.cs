// Record-type bytes: the first byte of every stored chat record, also its format version.
namespace Prg.Storage.Chat.Records;

internal static class RecordType
{
    public const byte ThreadMeta = 0x11;
    public const byte Message = 0x21;
    public const byte MessageVersion = 0x31;
    public const byte UserMeta = 0x41;
    public const byte UserThreadNode = 0x51;
    public const byte ListHead = 0x61;
    public const byte ListNode = 0x71;
    public const byte Stats = 0x81;
}
