// Incremental decoder for "Transfer-Encoding: chunked" request bodies (RFC 9112 §7.1). It keeps its
// state between calls, so a body may arrive split at any byte; extensions are validated and dropped,
// trailers are validated and discarded.
using System.Buffers;

namespace Prg.Http;

public sealed class ChunkedDecoder
{
    private enum State : byte { Size, Extension, SizeLf, Data, DataCr, DataLf, TrailerStart, TrailerLine, TrailerLf, EndLf, Done }

    private State _state;
    private long _chunkRemaining;
    private int _sizeDigits;
    private int _extensionLength;
    private int _trailerLength;

    public bool IsComplete => _state == State.Done;

    public void Reset()
    {
        _state = State.Size;
        _chunkRemaining = 0;
        _sizeDigits = 0;
        _extensionLength = 0;
        _trailerLength = 0;
    }

    /// <summary>
    /// Consumes what it can from <paramref name="reader"/>, appending decoded data to
    /// <paramref name="output"/>. Returns true once the terminating chunk and trailers are read.
    /// </summary>
    public bool Decode(ref SequenceReader<byte> reader, PooledBuffer output, HttpLimits limits)
    {
        while (_state != State.Done)
        {
            if (_state == State.Data)
            {
                if (reader.End)
                {
                    return false;
                }
                var span = reader.UnreadSpan;
                var take = (int)Math.Min(span.Length, _chunkRemaining);
                output.Write(span[..take]);
                reader.Advance(take);
                _chunkRemaining -= take;
                if (_chunkRemaining == 0)
                {
                    _state = State.DataCr;
                }
                continue;
            }

            if (!reader.TryRead(out var b))
            {
                return false;
            }
            Step(b, output, limits);
        }
        return true;
    }

    private void Step(byte b, PooledBuffer output, HttpLimits limits)
    {
        switch (_state)
        {
            case State.Size:
                var digit = HexDigit.Value(b);
                if (digit >= 0)
                {
                    if (++_sizeDigits > 15)
                    {
                        throw Invalid();
                    }
                    _chunkRemaining = (_chunkRemaining << 4) | (uint)digit;
                    if (output.WrittenCount + _chunkRemaining > limits.MaxBodyLength)
                    {
                        throw new BadHttpRequestException(RequestRejectionReason.BodyTooLarge);
                    }
                    return;
                }
                if (_sizeDigits == 0)
                {
                    throw Invalid();
                }
                _state = b switch
                {
                    (byte)';' => State.Extension,
                    (byte)'\r' => State.SizeLf,
                    _ => throw Invalid(),
                };
                return;
            case State.Extension:
                if (b == (byte)'\r')
                {
                    _state = State.SizeLf;
                    return;
                }
                if ((b < 0x20 && b != (byte)'\t') || b == 0x7F || ++_extensionLength > limits.MaxChunkExtensionLength)
                {
                    throw Invalid();
                }
                return;
            case State.SizeLf:
                Expect(b, (byte)'\n');
                _sizeDigits = 0;
                _extensionLength = 0;
                _state = _chunkRemaining == 0 ? State.TrailerStart : State.Data;
                return;
            case State.DataCr:
                Expect(b, (byte)'\r');
                _state = State.DataLf;
                return;
            case State.DataLf:
                Expect(b, (byte)'\n');
                _state = State.Size;
                return;
            case State.TrailerStart:
                if (b == (byte)'\r')
                {
                    _state = State.EndLf;
                    return;
                }
                // A trailer field line: a name token first, never folded continuation lines.
                if (b is (byte)' ' or (byte)'\t' or (byte)':' || b < 0x20)
                {
                    throw Invalid();
                }
                CountTrailer(limits);
                _state = State.TrailerLine;
                return;
            case State.TrailerLine:
                if (b == (byte)'\r')
                {
                    _state = State.TrailerLf;
                    return;
                }
                if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
                {
                    throw Invalid();
                }
                CountTrailer(limits);
                return;
            case State.TrailerLf:
                Expect(b, (byte)'\n');
                _state = State.TrailerStart;
                return;
            case State.EndLf:
                Expect(b, (byte)'\n');
                _state = State.Done;
                return;
        }
    }

    private void CountTrailer(HttpLimits limits)
    {
        if (++_trailerLength > limits.MaxHeaderSectionLength)
        {
            throw new BadHttpRequestException(RequestRejectionReason.HeadersTooLarge);
        }
    }

    private static void Expect(byte actual, byte expected)
    {
        if (actual != expected)
        {
            throw Invalid();
        }
    }

    private static BadHttpRequestException Invalid() => new(RequestRejectionReason.InvalidChunkedBody);
}
