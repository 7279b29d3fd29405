// Helpers for ChatStore tests: opening small stores and shorthand byte payloads.
using System.Text;
using Prg.Storage.Chat;
using Prg.Storage.Engine;

namespace Prg.Storage.Tests;

internal static class ChatTestUtil
{
    public static ChatStore Open(string dir, Durability durability = Durability.Fsync, int maxVersions = 100, int pageScanChunks = 64, int feedRetention = 1000)
        => ChatStore.Open(new ChatStoreOptions
        {
            Kv = KvTestUtil.SmallOptions(dir, durability),
            LockStripes = 64,
            MaxVersionsPerMessage = maxVersions,
            PageScanChunks = pageScanChunks,
            FeedRetention = feedRetention,
        });

    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public static string S(byte[] b) => Encoding.UTF8.GetString(b);

    public static async Task<MessageRecord> PostAsync(ChatStore store, string threadId, string author, string body, long ts)
    {
        MessageSlot slot = store.ReserveMessage(threadId, ts);
        return await store.CreateMessageAsync(slot, author, B(body)) ?? throw new InvalidOperationException("thread vanished");
    }
}
