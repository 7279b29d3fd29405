// DurableKv's span reads: values decoded in place (in memory and from disk), a decoder's exception
// surfacing without leaving the store stuck, and a page's read run on one session.
using System.Text;
using Prg.Storage.Engine;
using static Prg.Storage.Tests.KvTestUtil;

namespace Prg.Storage.Tests;

public sealed class DurableKvReadTests
{
    private static readonly DurableKv.ValueDecoder<string> Text = value => Encoding.UTF8.GetString(value);

    [Fact]
    public async Task A_decoder_that_throws_surfaces_its_exception_and_the_key_stays_readable_and_writable()
    {
        using var dir = new TempDirectory();
        await using var kv = DurableKv.Open(SmallOptions(dir.Path));
        var batch = new WriteBatch();
        batch.Put(B("k"), B("one"));
        await kv.CommitAsync(batch);

        var e = Assert.Throws<InvalidDataException>(() => kv.Read<string>(B("k"), _ => throw new InvalidDataException("bad record"), "missing"));
        Assert.Equal("bad record", e.Message);

        Assert.Equal("one", kv.Read(B("k"), Text, "missing"));
        batch.Clear();
        batch.Put(B("k"), B("two")); // would wait forever on a latch the failed read left behind
        await kv.CommitAsync(batch).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("two", kv.Read(B("k"), Text, "missing"));
        Assert.Equal("missing", kv.Read(B("absent"), Text, "missing"));
    }

    [Fact]
    public async Task Values_evicted_to_disk_and_larger_than_a_page_buffer_are_decoded()
    {
        using var dir = new TempDirectory();
        await using var kv = DurableKv.Open(TinyOptions(dir.Path));
        string large = new('x', 3000);
        var batch = new WriteBatch();
        batch.Put(B("first"), B(large));
        await kv.CommitAsync(batch);
        for (int i = 0; i < 400; i++) // 64 KB of memory: "first" ends up on disk only
        {
            batch.Clear();
            batch.Put(B($"filler-{i}"), new byte[1024]);
            await kv.CommitAsync(batch);
        }

        Assert.Equal(large, kv.Read(B("first"), Text, "missing"));
        Assert.Equal(1024, kv.Read(B("filler-399"), value => value.Length, -1));
    }

    [Fact]
    public async Task A_read_run_reads_every_key_and_refuses_reads_once_disposed()
    {
        using var dir = new TempDirectory();
        await using var kv = DurableKv.Open(SmallOptions(dir.Path));
        var batch = new WriteBatch();
        for (int i = 0; i < 50; i++)
        {
            batch.Put(B($"m{i}"), B($"body {i}"));
        }
        await kv.CommitAsync(batch);

        var collect = new Collector();
        var run = kv.BeginReads();
        for (int i = 0; i < 50; i++)
        {
            Assert.True(run.Visit(B($"m{i}"), collect));
        }
        Assert.False(run.Visit(B("m50"), collect));
        run.Dispose();

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"body {i}"), collect.Values);
        Assert.Throws<ObjectDisposedException>(() => run.Visit(B("m0"), collect));
    }

    private sealed class Collector : DurableKv.ValueVisitor
    {
        public List<string> Values { get; } = [];

        protected override void OnValue(ReadOnlySpan<byte> value) => Values.Add(Encoding.UTF8.GetString(value));
    }

    [Theory]
    [InlineData(16)] // the test options' index
    [InlineData(12)] // the smallest index: size (4,096) and size_mask sit within a sector of each other
    public async Task Prefetch_finds_the_bucket_and_the_record_of_each_key_in_a_new_and_in_a_recovered_store(int indexSizeBits)
    {
        using var dir = new TempDirectory();
        DurableKvOptions SmallOptions(string path) => KvTestUtil.SmallOptions(path, indexSizeBits: indexSizeBits);
        var keys = Enumerable.Range(0, 200).Select(i => B($"thread:t{i % 7}:msg:{i:D19}-{i:D12}")).ToList();
        await using (var kv = DurableKv.Open(SmallOptions(dir.Path)))
        {
            var batch = new WriteBatch();
            keys.ForEach(k => batch.Put(k, B("v")));
            await kv.CommitAsync(batch);
            AssertEachKeyFound(kv, keys);
            await kv.CheckpointAsync();
        }

        await using var recovered = DurableKv.Open(SmallOptions(dir.Path)); // the table rebuilt from the checkpoint
        AssertEachKeyFound(recovered, keys);
        recovered.Prefetch(keys.SelectMany(k => k).ToArray(), keys[0].Length); // a hint: more than 64 keys, no effect on reads
        recovered.Prefetch(B("absent"), 6);
        Assert.Equal("v", recovered.Read(keys[0], Text, "missing"));
    }

    // A FASTER bucket: 7 entries (address in bits 0-47, tag in bits 48-61) and an overflow pointer;
    // the record the key's entry points to starts with the key.
    private static unsafe void AssertEachKeyFound(DurableKv kv, List<byte[]> keys)
    {
        LookupPrefetch lookups = kv.Lookups ?? throw new Xunit.Sdk.XunitException("FASTER's hash table was not recognised");
        foreach (byte[] key in keys)
        {
            long hash;
            fixed (byte* k = key)
            {
                hash = FASTER.core.Utility.HashBytes(k, key.Length);
            }

            ulong* entries = (ulong*)lookups.BucketOf(key);
            ulong tag = (ulong)hash >> 50; // FASTER: the hash's top 14 bits
            bool found = false;
            for (int i = 0; i < 7; i++)
            {
                found |= (entries[i] & 0xFFFF_FFFF_FFFFUL) != 0 && ((entries[i] >> 48) & 0x3FFF) == tag;
            }

            Assert.True(found, $"no entry with the key's tag in the computed bucket of {S(key)}");

            // A SpanByte record: 8 bytes of RecordInfo, then the key's length (flags in bits 30-31) and bytes.
            byte* record = lookups.RecordOf(key);
            Assert.True(record != null, $"no in-memory record found for {S(key)}");
            Assert.Equal(key.Length, *(int*)(record + 8) & 0x3FFF_FFFF);
            Assert.Equal(S(key), S(new ReadOnlySpan<byte>(record + 12, key.Length).ToArray()));
        }
    }
}
