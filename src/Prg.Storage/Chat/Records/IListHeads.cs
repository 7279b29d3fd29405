// A record that owns two linked lists of the same nodes (created order and updated order).
namespace Prg.Storage.Chat.Records;

internal interface IListHeads : IStoredRecord
{
    string? CreatedHead { get; set; }
    string? CreatedTail { get; set; }
    string? UpdatedHead { get; set; }
    string? UpdatedTail { get; set; }
}
