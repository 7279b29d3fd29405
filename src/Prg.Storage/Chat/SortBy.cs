// Which order a list is paged in.
namespace Prg.Storage.Chat;

public enum SortBy
{
    /// <summary>Creation order.</summary>
    CreatedTs = 0,
    /// <summary>Order of last modification (create, edit, thread update).</summary>
    UpdatedTs = 1,
}
