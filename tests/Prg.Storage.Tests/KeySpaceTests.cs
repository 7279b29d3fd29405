// Key formats: escaping round-trips and never aliases, message keys are fixed width and parse back.
using Prg.Storage.Chat;

namespace Prg.Storage.Tests;

public sealed class KeySpaceTests
{
    [Theory]
    [InlineData("alice")]
    [InlineData("a:b")]
    [InlineData("%3A")]
    [InlineData("::%%")]
    [InlineData("ümlaut:😀")]
    public void Escape_round_trips_and_removes_separators(string id)
    {
        string escaped = KeySpace.Escape(id);
        Assert.DoesNotContain(':', escaped);
        Assert.Equal(id, KeySpace.Unescape(escaped));
    }

    [Fact]
    public void Escape_round_trips_random_ids_and_distinct_ids_give_distinct_keys()
    {
        var rng = new Random(1234);
        const string chars = "ab:%3A5_-x";
        var seen = new Dictionary<string, string>();
        for (int i = 0; i < 5000; i++)
        {
            int len = rng.Next(1, 8);
            string id = new(Enumerable.Range(0, len).Select(_ => chars[rng.Next(chars.Length)]).ToArray());
            Assert.Equal(id, KeySpace.Unescape(KeySpace.Escape(id)));
            foreach (string key in new[] { KeySpace.ThreadMeta(id), KeySpace.UserMeta(id), KeySpace.UserThreadNode(id, "t"), KeySpace.UserThreadNode("u", id) })
            {
                if (seen.TryGetValue(key, out string? other))
                {
                    Assert.Equal(other, id);
                }
                else
                {
                    seen[key] = id;
                }
            }
        }
    }

    [Fact]
    public void Ids_with_separators_do_not_alias_other_users_keys()
    {
        Assert.NotEqual(KeySpace.UserThreadNode("a:thread", "b"), KeySpace.UserThreadNode("a", "thread:b"));
        Assert.NotEqual(KeySpace.ThreadMeta("x:meta"), KeySpace.ThreadMeta("x"));
        Assert.NotEqual(KeySpace.Message("t:msg:1", "k"), KeySpace.Message("t", "1:msg:k"));
    }

    [Fact]
    public void Unescape_rejects_invalid_text()
    {
        Assert.Throws<FormatException>(() => KeySpace.Unescape("a:b"));
        Assert.Throws<FormatException>(() => KeySpace.Unescape("a%4"));
        Assert.Throws<FormatException>(() => KeySpace.Unescape("a%41"));
    }

    [Fact]
    public void Message_keys_are_fixed_width_sort_by_ts_then_seq_and_parse_back()
    {
        string k1 = KeySpace.MessageKey(1_762_480_000_000_000_000, 9);
        string k2 = KeySpace.MessageKey(1_762_480_000_000_000_000, 10);
        string k3 = KeySpace.MessageKey(1_762_480_000_000_000_001, 1);
        Assert.Equal("1762480000000000000-000000000009", k1);
        Assert.Equal(k1.Length, k3.Length);
        Assert.True(string.CompareOrdinal(k1, k2) < 0);
        Assert.True(string.CompareOrdinal(k2, k3) < 0);
        Assert.True(KeySpace.TryParseMessageKey(k2, out long ts, out long seq));
        Assert.Equal((1_762_480_000_000_000_000, 10), (ts, seq));
        Assert.False(KeySpace.TryParseMessageKey("1762480000000000000-00000000000x", out _, out _));
        Assert.False(KeySpace.TryParseMessageKey("176248000000000000-000000000001", out _, out _));
        Assert.False(KeySpace.TryParseMessageKey(k1 + ":v:1", out _, out _));
        Assert.False(KeySpace.TryParseMessageKey("1762480000000000000-000000000000", out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeySpace.MessageKey(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeySpace.MessageKey(1, 0));
    }

    [Fact]
    public void All_key_builders_produce_the_documented_formats()
    {
        string mk = KeySpace.MessageKey(5, 7);
        Assert.Equal("thread:t%3A1:meta", KeySpace.ThreadMeta("t:1"));
        Assert.Equal($"thread:t:msg:{mk}", KeySpace.Message("t", mk));
        Assert.Equal($"thread:t:msg:{mk}:v:3", KeySpace.MessageVersion("t", mk, 3));
        Assert.Equal("thread:t:idx:000000000007", KeySpace.IndexChunk("t", 7));
        Assert.Equal("thread:t%3A1:state", KeySpace.ThreadMessages("t:1"));
        Assert.Equal($"thread:t:upd:{mk}", KeySpace.MessageLink("t", mk));
        Assert.Equal("sys:stats:12", KeySpace.StatsStripe(12));
        Assert.Equal("user:u%25:meta", KeySpace.UserMeta("u%"));
        Assert.Equal("user:u:thread:t%3A1", KeySpace.UserThreadNode("u", "t:1"));
        Assert.Equal("sys:users:u%3Ax", KeySpace.UsersNode("u:x"));
        Assert.Equal("sys:threads:t", KeySpace.ThreadsNode("t"));
        Assert.Equal("sys:deleted-threads:t", KeySpace.DeletedThreadNode("t"));
        Assert.Equal($"sys:deleted-messages:t%3A1:{mk}", KeySpace.DeletedMessageNode("t:1", mk));
        Assert.Equal("sys:kv:job%3A1", KeySpace.Sys("job:1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("tab\there")]
    [InlineData("nul\0")]
    public void Invalid_user_ids_are_rejected(string id)
        => Assert.Throws<ArgumentException>(() => KeySpace.ValidateUserId(id));

    [Fact]
    public void User_ids_are_limited_to_128_utf8_bytes()
    {
        KeySpace.ValidateUserId(new string('a', 128));
        Assert.Throws<ArgumentException>(() => KeySpace.ValidateUserId(new string('a', 129)));
        Assert.Throws<ArgumentException>(() => KeySpace.ValidateUserId(new string('é', 65)));
        Assert.Throws<ArgumentException>(() => KeySpace.ValidateUserId("\ud800"));
    }

    [Theory]
    [InlineData(0L, 1L)]
    [InlineData(1_762_480_000_000_000_123L, 42L)]
    [InlineData(long.MaxValue, KeySpace.MaxSeq)]
    public void TryWriteMessageKey_writes_the_message_keys_ascii_and_refuses_a_short_buffer(long ts, long seq)
    {
        var ascii = new byte[KeySpace.TsDigits + 1 + KeySpace.SeqDigits + 3];
        ascii.AsSpan().Fill((byte)'#');
        Assert.True(KeySpace.TryWriteMessageKey(ascii, ts, seq));
        Assert.Equal(KeySpace.MessageKey(ts, seq) + "###", System.Text.Encoding.ASCII.GetString(ascii));
        Assert.False(KeySpace.TryWriteMessageKey(ascii.AsSpan(0, KeySpace.TsDigits + KeySpace.SeqDigits), ts, seq));
    }
}
