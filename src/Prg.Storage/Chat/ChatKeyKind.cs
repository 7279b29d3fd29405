// What kind of key a ChatKeyNotFoundException is about.
namespace Prg.Storage.Chat;

public enum ChatKeyKind
{
    Thread = 0,
    Message = 1,
    User = 2,
    /// <summary>A paging reference (before/after/anchor) that is not a live item of the list.</summary>
    PageAnchor = 3,
}
