// The page path in process, as GET /v1/threads/{t}/messages?limit=50 runs it: one thread read, one
// pooled ChatStore page (MessagePage) of 50 encrypted 200-byte messages, the frames opened with the
// production FrameKey into one reused buffer and the JSON written by the handlers' Views into a reused buffer. MemoryDiagnoser's "Allocated" is the allocation per page.
using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Prg.Api.Http;
using Prg.Crypto;
using Prg.Storage.Chat;
using Prg.Storage.Engine;

namespace Prg.Benchmarks.Storage;

[MemoryDiagnoser]
public class PagePathBenchmarks
{
    private const string ThreadId = "bench-page-thread";
    private const int Messages = 1000;
    private const int BodyBytes = 200;

    private readonly ArrayBufferWriter<byte> _plain = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _json = new(64 * 1024);
    private string _dir = "";
    private ChatStore _store = null!;
    private FrameKey _dek = null!;
    private Utf8JsonWriter _writer = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "prg-bench-page-" + Guid.NewGuid().ToString("N"));
        _store = ChatStore.Open(new ChatStoreOptions { Kv = new DurableKvOptions { Directory = _dir, Durability = Durability.Relaxed } });
        _dek = new FrameKey(RandomNumberGenerator.GetBytes(32), idleContexts: 4);
        _writer = new Utf8JsonWriter(_json);
        await _store.CreateThreadAsync(ThreadId, "alice", new byte[48], new byte[160], 1);
        byte[] body = Encoding.UTF8.GetBytes("{\"text\":\"" + new string('x', BodyBytes - 11) + "\"}");
        for (int i = 0; i < Messages; i++)
        {
            MessageSlot slot = _store.ReserveMessage(ThreadId, 1_700_000_000_000_000_000 + i);
            var frame = new byte[DataFrame.GetEncryptedLength(body.Length)];
            RecordAad aad = RecordAad.ForMessageVersion(ThreadId, slot.Key, 1);
            _dek.Encrypt(1, aad.ThreadId, aad.RecordId, body, frame);
            await _store.CreateMessageAsync(slot, "alice", frame);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.Dispose();
        _dek.Dispose();
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark]
    public int StorePage()
    {
        ThreadRecord thread = _store.GetThread(ThreadId)!;
        using MessagePage page = _store.ReadMessagePage(thread, new PageRequest { Limit = 50 });
        return page.Items.Count;
    }

    [Benchmark]
    public int PageDecryptAndJson()
    {
        ThreadRecord thread = _store.GetThread(ThreadId)!;
        using MessagePage page = _store.ReadMessagePage(thread, new PageRequest { Limit = 50 });

        // Batch decrypt into one pooled buffer; the ranges say where each body landed.
        _plain.ResetWrittenCount();
        Span<Range> bodies = stackalloc Range[page.Items.Count];
        Span<char> recordId = stackalloc char[RecordAad.StackRecordIdChars];
        for (int i = 0; i < page.Items.Count; i++)
        {
            MessageRow m = page.Items[i];
            int start = _plain.WrittenCount;
            RecordAad aad = RecordAad.ForMessageVersion(page.ThreadId, m.Key, m.Version);
            ReadOnlySpan<byte> frame = page.Body(m);
            int written = _dek.Decrypt(frame, aad.ThreadId, aad.RecordIdChars(recordId), _plain.GetSpan(DataFrame.GetPlaintextLength(frame)));
            _plain.Advance(written);
            bodies[i] = start..(start + written);
        }

        _json.ResetWrittenCount();
        _writer.Reset(_json);
        _writer.WriteStartObject();
        _writer.WriteString("thread"u8, thread.Id);
        _writer.WriteStartArray("messages"u8);
        var repeated = new RepeatedJsonText();
        for (int i = 0; i < page.Items.Count; i++)
        {
            Views.WriteMessage(_writer, page.ThreadId, page.Items[i], _plain.WrittenSpan[bodies[i]], repeated);
        }
        _writer.WriteEndArray();
        _writer.WriteEndObject();
        _writer.Flush();
        return _json.WrittenCount;
    }
}
