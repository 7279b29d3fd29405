// GET messages renders from a pooled page (rows, a body arena, plaintexts in one pooled buffer): its JSON
// must be byte for byte what the record path renders for the same messages (each message read and
// decoded on its own, its body opened on its own), with edits, deleted messages, several authors that
// need escaping and unicode bodies, in an encrypted and a plaintext store.
using System.Buffers;
using System.Text;
using System.Text.Json;
using Prg.Api.Chat;
using Prg.Api.Config;
using Prg.Api.Encryption;
using Prg.Api.Handlers;
using Prg.Api.Http;
using Prg.Api.Tests.Encryption;
using Prg.Storage.Chat;

namespace Prg.Api.Tests.Chat;

public sealed class MessagePageJsonTests
{
    private static readonly string[] Authors = ["alice", "bob \"b\" <&>", "zoë ü", "alice"];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_pooled_page_renders_the_bytes_of_the_record_path(bool encrypted)
    {
        using var dir = new TempDirectory();
        await using var s = encrypted ? OpenEncrypted(dir) : null;
        using var plainStore = encrypted ? null : EncryptedStore.OpenStore(dir.Combine("plain"));
        ChatStore store = s?.Store ?? plainStore!;
        IChatService chat = s?.Chat ?? new ChatService(plainStore!, new RecordCipher(null));

        var thread = await chat.CreateThreadAsync("alice", "t"u8.ToArray(), default);
        var keys = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            var body = Encoding.UTF8.GetBytes($$"""{"text":"héllo {{i}} 😀 \u2028 \"q\""}""");
            keys.Add((await chat.PostMessageAsync(thread, Authors[i % Authors.Length], body, default))!.Key);
        }
        for (var i = 0; i < keys.Count; i += 5)
        {
            Assert.Equal(EditStatus.Ok, (await chat.EditMessageAsync(thread, keys[i], Encoding.UTF8.GetBytes($$"""{"text":"édité {{i}}"}"""), default)).Status);
        }
        for (var i = 3; i < keys.Count; i += 7)
        {
            Assert.True(await chat.DeleteMessageAsync(thread, keys[i]));
        }
        thread = chat.GetThread(thread.Id)!;

        foreach (var request in new[]
                 {
                     new PageRequest { Limit = 50 },
                     new PageRequest { Limit = 6 },
                     new PageRequest { Limit = 4, Before = keys[20] },
                     new PageRequest { Limit = 3, Anchor = keys[11] },
                 })
        {
            string pooled;
            using (var page = await chat.ListMessagesAsync(thread, request, default))
            {
                pooled = Render(w => MessageHandlers.WritePage(w, page));
            }
            string expected = await RenderRecordPathAsync(chat, store, thread, request);

            Assert.Equal(expected, pooled);
            using var parsed = JsonDocument.Parse(pooled);
            Assert.NotEqual(0, parsed.RootElement.GetProperty("messages").GetArrayLength());
        }
    }

    private static EncryptedStore OpenEncrypted(TempDirectory dir)
    {
        string keyFile = dir.Combine("master.key");
        Prg.Crypto.KeyFile.WriteNew(keyFile);
        return EncryptedStore.Open(dir.Combine("store"), () => MasterKeySetup.Load(new KmsConfig { MasterKeyFile = keyFile }));
    }

    // Every message of the page read on its own (the store's single-message decode) and opened on its own.
    private static async Task<string> RenderRecordPathAsync(IChatService chat, ChatStore store, ThreadRecord thread, PageRequest request)
    {
        var listed = store.ListMessages(thread, request);
        var messages = new List<(MessageRecord Message, byte[] Body)>();
        foreach (var key in listed.Items.Select(m => m.Key))
        {
            var message = store.GetMessage(thread.Id, key)!;
            messages.Add((message, await chat.OpenBodyAsync(thread, message, default)));
        }
        return Render(w =>
        {
            w.WriteStartObject();
            w.WriteString("thread"u8, thread.Id);
            w.WriteStartArray("messages"u8);
            foreach (var (message, body) in messages)
            {
                Views.WriteMessage(w, message, body);
            }
            w.WriteEndArray();
            Views.WritePagination(w, listed, m => m.Key);
            w.WriteEndObject();
        });
    }

    private static string Render(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            write(w);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
