// A record that is a node of two linked lists (created order and updated order).
namespace Prg.Storage.Chat.Records;

internal interface IListLinks : IStoredRecord
{
    string? CreatedPrev { get; set; }
    string? CreatedNext { get; set; }
    string? UpdatedPrev { get; set; }
    string? UpdatedNext { get; set; }
}
