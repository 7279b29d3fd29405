// Recovery replay of the WAL. Every record must verify (CRC-32C, its own LSN, and a well-formed batch)
// before it is applied. Where the log stops verifying, the rest decides what it means:
// - nothing after it verifies, or only records appended before the stop point was durable: the torn
//   tail of the flush a crash interrupted (never acknowledged): dropped, reported;
// - a record that verifies and was appended after the stop point had been fsynced: the stop point
//   was durable once and is now damaged: refuse to open (one line with file and offset), unless the
//   operator salvages, which skips to that record and reports the skipped byte range.
// A segment the log needs (checkpoint position, segment-end marker) that is missing or short refuses
// too. Read errors are retried a few times and then refuse; they are never taken for a torn tail.
namespace Prg.Storage.Engine.Wal;

internal sealed class WalReader(WalSegments segments, bool salvage, Action<string> report)
{
    private const int ReadAttempts = 4;
    private readonly long _segmentSize = segments.SegmentSize;
    private byte[] _data = [];
    private long _loaded = -1;

    /// <summary>Applies every verified record from <paramref name="startLsn"/> on.</summary>
    public WalRecovery Replay(long startLsn, Action<ReadOnlySpan<byte>> apply)
    {
        var result = new WalRecovery();
        long lsn = startLsn;
        long segment = lsn / _segmentSize;
        Load(segment, lsn, "the checkpoint needs the log from there");
        while (true)
        {
            int offset = (int)(lsn - segment * _segmentSize);
            ReadOnlySpan<byte> span = _data.AsSpan(offset);
            if (WalRecordHeader.TryVerify(span, lsn, out WalRecordHeader header))
            {
                if (header.IsSegmentEnd)
                {
                    segment++;
                    lsn = segment * _segmentSize;
                    Load(segment, lsn, $"the segment-end marker at offset {offset} of {segments.PathOf(segment - 1)} points to it");
                    continue;
                }
                ReadOnlySpan<byte> payload = span.Slice(WalRecordHeader.Size, (int)header.Length);
                if (WalRecord.TryValidate(payload, out _))
                {
                    apply(payload);
                    result.Replayed++;
                    lsn += WalRecordHeader.FramedSize(payload.Length);
                    continue;
                }
            }

            (long next, bool durableAfter, long lastLeftover) = FindValidAfter(lsn);
            if (!durableAfter)
            {
                bool blank = WalRecordHeader.IsBlank(span) || IsStaleLap(span, lsn);
                if (!blank)
                {
                    result.TornTailLsn = lsn;
                    report($"dropped the torn record at the end of the write-ahead log: offset {offset} of {segments.PathOf(segment)} (never acknowledged)");
                }
                result.EndLsn = lsn;
                result.LastSegmentWithLeftovers = lastLeftover >= 0 || !blank ? Math.Max(lastLeftover, segment) : -1;
                int pageStart = (int)WalBuffer.AlignDown(offset);
                result.TailPagePrefix = _data.AsSpan(pageStart, offset - pageStart).ToArray();
                return result;
            }
            string where = $"offset {offset} of {segments.PathOf(segment)}";
            if (!salvage)
            {
                throw new StoreOpenException($"write-ahead log damaged at {where}: the record there fails verification but durable records follow it (LSN {next}); refusing to start (prg serve --salvage skips damaged records)");
            }

            report($"salvage: skipped damaged write-ahead log bytes at {where}, LSN {lsn}..{next} ({next - lsn} bytes); the records in that range are lost");
            result.Skipped.Add((lsn, next));
            lsn = next;
            if (lsn / _segmentSize != segment)
            {
                segment = lsn / _segmentSize;
                Load(segment, lsn, "salvage continues there");
            }
        }
    }

    // A record that verifies at its own (different) LSN: left from the segment's previous lap.
    private static bool IsStaleLap(ReadOnlySpan<byte> span, long lsn)
    {
        WalRecordHeader h = WalRecordHeader.Read(span);
        return h.Lsn != lsn && WalRecordHeader.TryVerify(span, h.Lsn, out _);
    }

    /// <summary>
    /// Searches after the invalid position <paramref name="stop"/>: the rest of its segment and the
    /// next one record by record, the first record of later ones. Returns the first verifying record,
    /// whether any verifying record was appended after <paramref name="stop"/> was durable, and the
    /// last segment holding verifying leftovers.
    /// </summary>
    private (long Next, bool DurableAfter, long LastLeftover) FindValidAfter(long stop)
    {
        long first = -1;
        long lastLeftover = -1;
        long stopSegment = stop / _segmentSize;
        List<long> later = segments.List().Where(s => s > stopSegment).ToList();
        for (int i = -1; i < later.Count; i++)
        {
            long segment = i < 0 ? stopSegment : later[i];
            byte[] data = i < 0 ? _data : ReadSegment(segment);
            long baseLsn = segment * _segmentSize;
            long from = i < 0 ? stop - baseLsn + WalRecordHeader.Alignment : 0;
            long until = i < 0 || segment == stopSegment + 1 ? _segmentSize - WalRecordHeader.Size : 0;
            for (long offset = from; offset <= until; offset += WalRecordHeader.Alignment)
            {
                if (baseLsn + offset > 0) // only LSN 0 could match a blank header's LSN
                {
                    offset = SkipBlankHeaders(data, offset, until);
                }

                if (offset > until)
                {
                    break;
                }

                if (!WalRecordHeader.TryVerify(data.AsSpan((int)offset), baseLsn + offset, out WalRecordHeader h))
                {
                    continue;
                }

                if (first < 0)
                {
                    first = baseLsn + offset;
                }

                if (h.DurableBefore > stop)
                {
                    return (first, true, lastLeftover);
                }

                lastLeftover = segment;
            }
        }
        return (first, false, lastLeftover);
    }

    // A blank header never verifies here (it reads LSN 0; every LSN searched is larger), so the search
    // jumps over zero runs instead of trying each aligned offset: a fresh 16 MB segment scanned
    // header by header was the largest CPU cost of a start. Returns the first aligned offset from
    // offset whose header holds a non-zero byte, or past until when none does.
    private static long SkipBlankHeaders(byte[] data, long offset, long until)
    {
        int limit = (int)Math.Min(data.Length, until + WalRecordHeader.Size);
        int nonZero = data.AsSpan((int)offset, limit - (int)offset).IndexOfAnyExcept((byte)0);
        if (nonZero < 0)
        {
            return until + 1;
        }

        long earliest = offset + nonZero - WalRecordHeader.Size + 1;
        return earliest <= offset
            ? offset
            : offset + ((earliest - offset + WalRecordHeader.Alignment - 1) / WalRecordHeader.Alignment * WalRecordHeader.Alignment);
    }

    private void Load(long segment, long lsn, string why)
    {
        if (_loaded == segment)
        {
            return;
        }

        if (!segments.Exists(segment))
        {
            throw new StoreOpenException($"write-ahead log segment {segments.PathOf(segment)} is missing ({why}, LSN {lsn}); refusing to start");
        }

        _data = ReadSegment(segment);
        _loaded = segment;
    }

    private byte[] ReadSegment(long segment)
    {
        string path = segments.PathOf(segment);
        var data = new byte[_segmentSize];
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                using var handle = segments.OpenForRead(segment);
                long length = RandomAccess.GetLength(handle);
                if (length != _segmentSize)
                {
                    throw new StoreOpenException($"write-ahead log segment {path} is {length} bytes, not {_segmentSize}: it was cut short; refusing to start");
                }

                int read = 0;
                while (read < data.Length)
                {
                    int n = RandomAccess.Read(handle, data.AsSpan(read), read);
                    if (n == 0)
                    {
                        throw new IOException($"unexpected end of {path} at offset {read}");
                    }

                    read += n; // a short read is continued, never taken for the end of the log
                }
                return data;
            }
            catch (IOException e) when (e is not StoreOpenException && e is not FileNotFoundException)
            {
                if (attempt == ReadAttempts)
                {
                    throw new StoreOpenException($"cannot read write-ahead log segment {path}: {e.Message}", e);
                }

                Thread.Sleep(50 * attempt);
            }
        }
    }
}
