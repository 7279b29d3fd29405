// The stored chat records' byte layout, spelled out by hand: a record type byte, little-endian
// integers, one byte per flag, and int32-length-prefixed UTF-8 strings and byte strings (-1 = null).
// Existing data directories hold these bytes, so a change to any record's field order or encoding
// fails here before it can strand a store (store/FORMAT stays 2).
using System.Buffers.Binary;
using System.Text;
using Prg.Storage.Chat;
using Prg.Storage.Chat.Records;

namespace Prg.Storage.Tests;

public sealed class RecordLayoutTests
{
    private sealed class Expected
    {
        private readonly List<byte> _bytes = [];

        public Expected(byte type) => _bytes.Add(type);

        public byte[] Bytes => [.. _bytes];

        public Expected Byte(byte value)
        {
            _bytes.Add(value);
            return this;
        }

        public Expected Int32(int value)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, value);
            _bytes.AddRange(b);
            return this;
        }

        public Expected Int64(long value)
        {
            var b = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(b, value);
            _bytes.AddRange(b);
            return this;
        }

        public Expected Text(string? value) => value is null ? Int32(-1) : Blob(Encoding.UTF8.GetBytes(value));

        public Expected Blob(byte[] value)
        {
            Int32(value.Length);
            _bytes.AddRange(value);
            return this;
        }
    }

    private static byte[] Write(IStoredRecord record)
    {
        var writer = new RecordWriter(16);
        record.WriteTo(ref writer);
        return writer.Written.ToArray();
    }

    [Fact]
    public void AThreadMetaRecordKeepsItsLayoutAndReadsBack()
    {
        var meta = new ThreadMeta
        {
            Id = "t1",
            Author = "alice",
            CreatedTs = 10,
            UpdatedTs = 20,
            Deleted = true,
            DeletedTs = 30,
            Purging = false,
            Title = [1, 2],
            AppData = [3],
        };
        byte[] expected = new Expected(0x12).Text("t1").Text("alice").Int64(10).Int64(20).Byte(1).Int64(30).Byte(0)
            .Blob([1, 2]).Blob([3]).Bytes;

        Assert.Equal(expected, Write(meta));
        ThreadMeta back = ThreadMeta.Decode(expected);
        Assert.Equal(("t1", "alice", 10L, 20L, true, 30L, false), (back.Id, back.Author, back.CreatedTs, back.UpdatedTs, back.Deleted, back.DeletedTs, back.Purging));
        Assert.Equal(new byte[] { 1, 2 }, back.Title);
        Assert.Equal(new byte[] { 3 }, back.AppData);
    }

    [Fact]
    public void AMessageRecordKeepsItsLayoutAndReadsBack()
    {
        var entry = new MessageEntry { Author = "bob", CreatedTs = 5, UpdatedTs = 6, Deleted = false, DeletedTs = 0, Version = 3, OldestVersion = 2, Body = [9] };
        byte[] expected = new Expected(0x22).Text("bob").Int64(5).Int64(6).Byte(0).Int64(0).Int32(3).Int32(2).Blob([9]).Bytes;

        Assert.Equal(expected, Write(entry));
        MessageEntry back = MessageEntry.Decode(expected);
        Assert.Equal(("bob", 5L, 6L, 3, 2), (back.Author, back.CreatedTs, back.UpdatedTs, back.Version, back.OldestVersion));
        Assert.Equal(new byte[] { 9 }, back.Body);

        // The page path's own decoder reads the same bytes.
        using MessagePage page = new MessagePagePool().Rent("t");
        MessageRow? live = MessageEntry.DecodeLive(expected, page, "k", 7);
        Assert.NotNull(live);
        Assert.Equal(("bob", 5L, 6L, 3, 7L), (live.Author, live.CreatedTs, live.UpdatedTs, live.Version, live.Seq));
        Assert.Equal(new byte[] { 9 }, page.Body(live).ToArray());
        byte[] deleted = Write(new MessageEntry { Author = "bob", Deleted = true, DeletedTs = 4, Version = 1, Body = [9] });
        Assert.Null(MessageEntry.DecodeLive(deleted, page, "k", 7));
    }

    [Fact]
    public void GlobalListNodesAndMessageLinksShareALayoutUnderTheirOwnTypeBytes()
    {
        var node = new ListNode { Prev = null, Next = "b", Ts = 7 };
        var link = new ListNode(RecordType.MessageLink) { Prev = "a", Next = null, Ts = 8 };

        Assert.Equal(new Expected(0x71).Text(null).Text("b").Int64(7).Bytes, Write(node));
        Assert.Equal(new Expected(0x23).Text("a").Text(null).Int64(8).Bytes, Write(link));
        Assert.Equal(8, ListNode.DecodeMessageLink(Write(link)).Ts);
        Assert.Throws<InvalidDataException>(() => ListNode.Decode(Write(link)));
    }

    [Fact]
    public void UserListRecordsAndTheIndexChunkKeepTheirLayout()
    {
        var user = new UserMeta { CreatedHead = "c1", CreatedTail = null, UpdatedHead = "u1", UpdatedTail = "u2", LiveThreads = 4 };
        Assert.Equal(new Expected(0x41).Text("c1").Text(null).Text("u1").Text("u2").Int64(4).Bytes, Write(user));

        var node = new UserThreadNode { CreatedPrev = "p", CreatedNext = null, UpdatedPrev = null, UpdatedNext = "n" };
        Assert.Equal(new Expected(0x51).Text("p").Text(null).Text(null).Text("n").Bytes, Write(node));

        var chunk = new IndexChunk();
        chunk.SetLive(65, 1234);
        Expected layout = new Expected(0x14).Int64(2).Int64(2).Int64(0).Int64(1234);
        for (int i = 2; i < IndexChunk.Slots; i++)
        {
            layout.Int64(0);
        }
        Assert.Equal(layout.Bytes, Write(chunk));
        Assert.True(IndexChunk.Decode(layout.Bytes).IsLive(65));
    }

    [Fact]
    public void ARecordWithTrailingBytesOrAnotherTypeIsRefused()
    {
        byte[] stats = Write(new StatsRecord { LiveThreads = 1, LiveMessages = 2 });
        Assert.Equal(new Expected(0x81).Int64(1).Int64(2).Bytes, stats);
        Assert.Throws<InvalidDataException>(() => StatsRecord.Decode([.. stats, 0]));
        Assert.Throws<InvalidDataException>(() => FeedState.Decode(stats));
    }
}
