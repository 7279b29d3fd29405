// One rendered feed event: the server-sent-event frame ("id: n\nevent: type\ndata: {json}\n\n") in an
// immutable array, rendered once and handed as is to every subscriber that takes it (a thread's live
// subscribers share one copy); the long-poll answers the JSON inside it.
using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Prg.Api.Feeds;

/// <param name="position">The event's position (its `id:`); 0 for a frame without one (error).</param>
/// <param name="bytes">The whole frame, never changed once built.</param>
/// <param name="jsonStart">Where the data's JSON starts in <paramref name="bytes"/>.</param>
/// <param name="jsonLength">The JSON's length.</param>
/// <param name="ends">The last event the feed can have (a thread feed's thread.deleted).</param>
internal sealed class FeedFrame(long position, byte[] bytes, int jsonStart, int jsonLength, bool ends)
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_json;

    public long Position => position;

    public bool Ends => ends;

    /// <summary>For a hub's shared frame, when (Stopwatch ticks) its event was known durable; 0 otherwise.</summary>
    public long DurableAt { get; set; }

    /// <summary>The whole server-sent-event frame.</summary>
    public ReadOnlySpan<byte> Sse => bytes;

    /// <summary>The frame's data: the event's JSON object (a long-poll answer's element).</summary>
    public ReadOnlySpan<byte> Json => bytes.AsSpan(jsonStart, jsonLength);

    public int Length => bytes.Length;

    /// <summary>Renders a frame: `id:` when <paramref name="id"/> is given, the event name, and the JSON <paramref name="writeData"/> writes.</summary>
    public static FeedFrame Render(string name, long? id, bool ends, Action<Utf8JsonWriter> writeData)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        var json = t_json ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        if (id is { } position)
        {
            buffer.Write(Encoding.ASCII.GetBytes($"id: {position.ToString(CultureInfo.InvariantCulture)}\n"));
        }
        buffer.Write(Encoding.ASCII.GetBytes($"event: {name}\ndata: "));
        var jsonStart = buffer.WrittenCount;
        json.Reset(buffer);
        writeData(json);
        json.Flush();
        var jsonLength = buffer.WrittenCount - jsonStart;
        buffer.Write("\n\n"u8);
        var frame = new FeedFrame(id ?? 0, buffer.WrittenSpan.ToArray(), jsonStart, jsonLength, ends);
        if (buffer.Capacity > 64 * 1024)
        {
            t_buffer = null; // one large event does not pin a large buffer on the thread
            t_json = null;
        }
        return frame;
    }
}
