// Thrown when a referenced key (most often a paging anchor) does not exist; the Api maps it to 400/404.
namespace Prg.Storage.Chat;

public sealed class ChatKeyNotFoundException : KeyNotFoundException
{
    public ChatKeyNotFoundException(ChatKeyKind kind, string key)
        : base($"{kind} '{key}' not found.")
    {
        Kind = kind;
        Key = key;
    }

    public ChatKeyKind Kind { get; }

    public string Key { get; }
}
