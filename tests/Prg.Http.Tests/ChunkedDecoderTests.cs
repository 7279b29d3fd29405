// Chunked request bodies: extensions and trailers, any split point, and malformed framing.
using System.Buffers;
using System.Text;

namespace Prg.Http.Tests;

public sealed class ChunkedDecoderTests
{
    private static readonly HttpLimits Limits = new() { MaxBodyLength = 64, MaxChunkExtensionLength = 16, MaxHeaderSectionLength = 64 };

    private static (bool Done, string Body, long Consumed) Decode(ReadOnlySequence<byte> input)
    {
        var decoder = new ChunkedDecoder();
        using var output = new PooledBuffer();
        var reader = new SequenceReader<byte>(input);
        var done = decoder.Decode(ref reader, output, Limits);
        return (done, Encoding.ASCII.GetString(output.WrittenSpan), reader.Consumed);
    }

    [Fact]
    public void DecodesChunksWithExtensionsAndTrailers()
    {
        var text = "5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT";
        var (done, body, consumed) = Decode(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)));
        Assert.True(done);
        Assert.Equal("hello, world", body);
        Assert.Equal(text.Length - "NEXT".Length, consumed);
    }

    [Fact]
    public void DecodesIdenticallyWhenFedOneByteAtATime()
    {
        var bytes = Encoding.ASCII.GetBytes("a\r\n0123456789\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n");
        var decoder = new ChunkedDecoder();
        using var output = new PooledBuffer();
        var done = false;
        foreach (var b in bytes)
        {
            Assert.False(done);
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>([b]));
            done = decoder.Decode(ref reader, output, Limits);
            Assert.Equal(1, reader.Consumed);
        }
        Assert.True(done);
        Assert.Equal("0123456789abcdefghijklmnopqrstuvwxyz", Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void DecodesAcrossSegmentsAtEverySplit()
    {
        var bytes = Encoding.ASCII.GetBytes("3\r\nabc\r\n2;x\r\nde\r\n0\r\n\r\n");
        for (var i = 1; i < bytes.Length; i++)
        {
            var (done, body, _) = Decode(Segments.Split(bytes, i));
            Assert.True(done);
            Assert.Equal("abcde", body);
        }
    }

    [Theory]
    [InlineData("x\r\n")]                       // not hex
    [InlineData("\r\n")]                        // no size
    [InlineData("5 \r\nhello\r\n0\r\n\r\n")]    // whitespace after size
    [InlineData("5\nhello\r\n0\r\n\r\n")]       // bare LF
    [InlineData("5\r\nhelloX\r\n0\r\n\r\n")]    // data longer than the size
    [InlineData("5\r\nhello\n0\r\n\r\n")]
    [InlineData("-5\r\n")]
    [InlineData("1;a\u0001\r\nx\r\n0\r\n\r\n")]  // control byte in extension
    [InlineData("0\r\n folded: x\r\n\r\n")]     // folded trailer
    [InlineData("0\r\nA: \u0000\r\n\r\n")]       // NUL in trailer
    [InlineData("0\r\n\r\r")]
    [InlineData("1;aaaaaaaaaaaaaaaaaaaa\r\nx\r\n0\r\n\r\n")] // extension over the limit
    [InlineData("ffffffffffffffff\r\n")]        // size overflow
    public void RejectsMalformedChunkedBodies(string text)
    {
        var error = Assert.Throws<BadHttpRequestException>(() => Decode(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text))));
        Assert.True(error.StatusCode is 400 or 413, $"status {error.StatusCode}");
    }

    [Fact]
    public void BodyOverTheLimitIs413()
    {
        var error = Assert.Throws<BadHttpRequestException>(() => Decode(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("41\r\n"))));
        Assert.Equal(413, error.StatusCode);
    }

    [Fact]
    public void IncompleteBodyAsksForMore()
    {
        var (done, body, _) = Decode(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("5\r\nhel")));
        Assert.False(done);
        Assert.Equal("hel", body);
    }
}
