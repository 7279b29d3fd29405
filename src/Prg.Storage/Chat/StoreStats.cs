// Live (non-deleted) counts across the store.
namespace Prg.Storage.Chat;

public readonly record struct StoreStats(long LiveThreads, long LiveMessages);
