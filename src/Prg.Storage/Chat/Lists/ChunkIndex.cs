// Reading and updating the chunks of a thread's created-order index (thread:<t>:idx:<n>).
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Chat.Lists;

/// <summary>Chunk access for writers and readers of the created-order index.</summary>
internal static class ChunkIndex
{
    public static IndexChunk? Chunk(ChatTx tx, string threadId, long seq)
        => tx.Get(KeySpace.IndexChunk(threadId, IndexChunk.ChunkOf(seq)), IndexChunk.Decode);

    /// <summary>Applies <paramref name="change"/> to the chunk holding <paramref name="seq"/> (created if missing; deleted once empty).</summary>
    public static void Update(ChatTx tx, string threadId, long seq, Action<IndexChunk> change)
    {
        string key = KeySpace.IndexChunk(threadId, IndexChunk.ChunkOf(seq));
        IndexChunk chunk = tx.Get(key, IndexChunk.Decode) ?? new IndexChunk();
        change(chunk);
        if (chunk.IsEmpty)
        {
            tx.Delete(key);
        }
        else
        {
            tx.Put(key, chunk);
        }
    }
}
