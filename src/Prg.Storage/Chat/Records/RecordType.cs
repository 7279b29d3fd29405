// Record-type bytes: the first byte of every stored chat record, also its format version.
namespace Prg.Storage.Chat.Records;

internal static class RecordType
{
    public const byte ThreadMeta = 0x12;
    public const byte ThreadMessages = 0x13;
    public const byte IndexChunk = 0x14;
    public const byte FeedState = 0x15;
    public const byte FeedEvent = 0x16;
    public const byte ReadMark = 0x17;
    public const byte Message = 0x22;
    public const byte MessageLink = 0x23;
    public const byte MessageVersion = 0x31;
    public const byte UserMeta = 0x41;
    public const byte UserThreadNode = 0x51;
    public const byte ListHead = 0x61;
    public const byte ListNode = 0x71;
    public const byte Stats = 0x81;
}
