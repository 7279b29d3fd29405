// `prg export --url URL --admin-key A --backend-key B [--user U] [--thread T] [--out FILE]`: JSON lines
// with readable bodies, read through the public API as each user (so it works against prg and the
// reference ProgressDB alike): users from /admin/users, then each user's threads (oldest first) and
// their messages oldest first, each with its versions. Lines:
//   {"type":"user","id":"alice"}
//   {"type":"thread","key":...,"title":...,"author":...,"created_ts":...,"updated_ts":...}
//   {"type":"message","key":...,"thread":...,"author":...,"created_ts":...,"updated_ts":...,"body":...,"version":n,"versions":[...]}
// Memory is one page plus one user's thread keys. Writes stdout unless --out; the count goes to stderr.
using System.Globalization;
using System.Text.Json;

namespace Prg.Commands;

public static class ExportCommand
{
    public const string HelpText = """
        Usage: prg export --url URL --admin-key A --backend-key B [--user U] [--thread T] [--out FILE]
        Writes users, threads and messages (with their versions and readable bodies) as JSON lines to
        FILE or stdout, read through the HTTP API of prg or ProgressDB. Pipe it into 'prg import'.
          --user U     only this user's threads
          --thread T   only this thread

        """;

    private const int PageLimit = 1000;

    public static async Task<int> RunAsync(string[] args)
    {
        var parsed = Arguments.Parse("export", args, valued: ["url", "admin-key", "backend-key", "user", "thread", "out"], switches: ["help"]);
        if (parsed.Has("help"))
        {
            Console.Out.Write(HelpText);
            return ExitCodes.Ok;
        }
        string url = parsed.Require("url", "URL");
        string adminKey = parsed.Require("admin-key", "KEY");
        string backendKey = parsed.Require("backend-key", "KEY");
        string? output = parsed.Get("out");
        using var admin = new ApiClient(url, adminKey);
        using var backend = new ApiClient(url, backendKey);
        try
        {
            await using Stream stream = output is null ? Console.OpenStandardOutput() : new FileStream(output, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite, // readable bodies: owner only
            });
            var exporter = new Exporter(admin, backend, stream);
            await exporter.RunAsync(parsed.Get("user"), parsed.Get("thread"));
            Console.Error.WriteLine(exporter.Summary);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is ApiCallException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Console.Error.WriteLine($"prg: export: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    private sealed class Exporter(ApiClient admin, ApiClient backend, Stream output)
    {
        private readonly Utf8JsonWriter _writer = new(output);
        private readonly ProgressLine _progress = new("export");
        private long _users, _threads, _messages, _versions;

        public string Summary => string.Create(CultureInfo.InvariantCulture,
            $"exported {_users} users, {_threads} threads, {_messages} messages ({_versions} versions)");

        public async Task RunAsync(string? user, string? thread)
        {
            if (user is not null)
            {
                await ExportUserAsync(user, thread);
            }
            else
            {
                await foreach (string id in PagesAsync(admin, null, "/admin/users", "users"))
                {
                    await ExportUserAsync(id, thread);
                }
            }
            _progress.Clear();
            await output.FlushAsync();
        }

        private async Task ExportUserAsync(string user, string? onlyThread)
        {
            List<string> threads = [];
            if (onlyThread is not null)
            {
                if (await OwnsAsync(user, onlyThread))
                {
                    threads.Add(onlyThread);
                }
            }
            else
            {
                // Listed newest first; exported oldest first, the order import recreates them in.
                await foreach (JsonElement thread in PageObjectsAsync(backend, user, "/frontend/v1/threads", "threads"))
                {
                    threads.Add(thread.GetProperty("key").GetString()!);
                }

                threads.Reverse();
            }
            if (threads.Count == 0 && onlyThread is not null)
            {
                return;
            }

            await EmitAsync(w => w.WriteString("id", user), "user");
            _users++;
            foreach (string key in threads)
            {
                using JsonDocument doc = await backend.SendJsonAsync(HttpMethod.Get, $"/frontend/v1/threads/{Uri.EscapeDataString(key)}", userId: user);
                await EmitAsync(w => CopyProperties(w, doc.RootElement.GetProperty("thread")), "thread");
                _threads++;
                await ExportMessagesAsync(user, key);
            }
        }

        private async Task<bool> OwnsAsync(string user, string thread)
        {
            try
            {
                using JsonDocument _ = await backend.SendJsonAsync(HttpMethod.Get, $"/frontend/v1/threads/{Uri.EscapeDataString(thread)}", userId: user);
                return true;
            }
            catch (ApiCallException e) when (e.Status is 403 or 404)
            {
                return false;
            }
        }

        private async Task ExportMessagesAsync(string user, string thread)
        {
            string path = $"/frontend/v1/threads/{Uri.EscapeDataString(thread)}/messages";
            // The first page is the newest; walk back to the oldest, then forward, writing as we go.
            string query = "";
            while (true)
            {
                using JsonDocument page = await backend.SendJsonAsync(HttpMethod.Get, $"{path}?limit={PageLimit}{query}", userId: user);
                JsonElement pagination = page.RootElement.GetProperty("pagination");
                if (!pagination.GetProperty("has_before").GetBoolean() || page.RootElement.GetProperty("messages").GetArrayLength() == 0)
                {
                    break;
                }

                query = "&before=" + Uri.EscapeDataString(pagination.GetProperty("before_anchor").GetString()!);
            }
            // The oldest page again, then forward.
            while (true)
            {
                using JsonDocument page = await backend.SendJsonAsync(HttpMethod.Get, $"{path}?limit={PageLimit}{query}", userId: user);
                foreach (JsonElement message in page.RootElement.GetProperty("messages").EnumerateArray())
                {
                    await ExportMessageAsync(user, path, message);
                }

                JsonElement pagination = page.RootElement.GetProperty("pagination");
                if (!pagination.GetProperty("has_after").GetBoolean() || page.RootElement.GetProperty("messages").GetArrayLength() == 0)
                {
                    break;
                }

                query = "&after=" + Uri.EscapeDataString(pagination.GetProperty("after_anchor").GetString()!);
            }
        }

        private async Task ExportMessageAsync(string user, string threadPath, JsonElement message)
        {
            JsonDocument? versions = null;
            if (message.TryGetProperty("version", out JsonElement v) && v.TryGetInt32(out int version) && version > 1)
            {
                string key = message.GetProperty("key").GetString()!;
                versions = await backend.SendJsonAsync(HttpMethod.Get, $"{threadPath}/{Uri.EscapeDataString(key)}/versions", userId: user);
                _versions += versions.RootElement.GetProperty("versions").GetArrayLength();
            }
            else
            {
                _versions++;
            }
            using (versions)
            {
                await EmitAsync(w =>
                {
                    CopyProperties(w, message);
                    if (versions is not null)
                    {
                        w.WritePropertyName("versions");
                        versions.RootElement.GetProperty("versions").WriteTo(w);
                    }
                }, "message");
            }
            _messages++;
            _progress.Report($"{_users} users, {_threads} threads, {_messages} messages");
        }

        private async Task EmitAsync(Action<Utf8JsonWriter> properties, string type)
        {
            _writer.Reset(output);
            _writer.WriteStartObject();
            _writer.WriteString("type", type);
            properties(_writer);
            _writer.WriteEndObject();
            await _writer.FlushAsync();
            output.WriteByte((byte)'\n');
        }

        private static void CopyProperties(Utf8JsonWriter w, JsonElement source)
        {
            foreach (JsonProperty property in source.EnumerateObject())
            {
                if (property.NameEquals("type"))
                {
                    continue;
                }

                property.WriteTo(w);
            }
        }

        private static async IAsyncEnumerable<string> PagesAsync(ApiClient client, string? user, string path, string items)
        {
            await foreach (JsonElement item in PageObjectsAsync(client, user, path, items))
            {
                yield return item.GetString()!;
            }
        }

        /// <summary>Every item of a paginated list, following after_anchor page by page.</summary>
        private static async IAsyncEnumerable<JsonElement> PageObjectsAsync(ApiClient client, string? user, string path, string items)
        {
            string query = "";
            while (true)
            {
                using JsonDocument page = await client.SendJsonAsync(HttpMethod.Get, $"{path}?limit={PageLimit}{query}", userId: user);
                JsonElement list = page.RootElement.GetProperty(items);
                foreach (JsonElement item in list.EnumerateArray())
                {
                    yield return item.Clone();
                }

                JsonElement pagination = page.RootElement.GetProperty("pagination");
                if (!pagination.GetProperty("has_after").GetBoolean() || list.GetArrayLength() == 0)
                {
                    yield break;
                }

                query = "&after=" + Uri.EscapeDataString(pagination.GetProperty("after_anchor").GetString()!);
            }
        }
    }
}
