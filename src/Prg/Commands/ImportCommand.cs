// `prg import --url URL --admin-key A [--backend-key B] [--in FILE]`: loads `prg export` JSON lines
// (stdin unless --in) into a running prg through the admin import routes, which keep keys, authors and
// timestamps; threads and messages are created in the order of the file (oldest first), each message's
// versions in order. Every call is idempotent, so rerunning an import (or one that stopped) only adds
// what is missing. Progress on a terminal; the counts at the end.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Prg.Commands;

public static class ImportCommand
{
    public const string HelpText = """
        Usage: prg import --url URL --admin-key A [--backend-key B] [--in FILE]
        Loads 'prg export' JSON lines from FILE or stdin into the prg at URL, keeping keys, authors,
        titles, timestamps, order and versions. Rerunning it adds only what is missing.
        (--backend-key is accepted for symmetry with export; the import routes need the admin key.)

        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var parsed = Arguments.Parse("import", args, valued: ["url", "admin-key", "backend-key", "in"], switches: ["help"]);
        if (parsed.Has("help"))
        {
            Console.Out.Write(HelpText);
            return ExitCodes.Ok;
        }
        string url = parsed.Require("url", "URL");
        string adminKey = parsed.Require("admin-key", "KEY");
        string? input = parsed.Get("in");
        using var admin = new ApiClient(url, adminKey);
        var counts = new Counts();
        var retitled = new List<(long UpdatedTs, string Line)>(); // threads whose updated_ts is applied last
        long lineNumber = 0;
        try
        {
            using var reader = new StreamReader(input is null ? Console.OpenStandardInput() : File.OpenRead(input), Encoding.UTF8);
            var progress = new ProgressLine("import");
            while (await reader.ReadLineAsync() is { } line)
            {
                lineNumber++;
                if (line.Length == 0)
                {
                    continue;
                }

                await ImportLineAsync(admin, line, counts, retitled);
                progress.Report(counts.ToString());
            }
            foreach ((_, string line) in retitled.OrderBy(t => t.UpdatedTs))
            {
                using JsonDocument thread = ParseLine(line);
                await PostAsync(admin, "/admin/import/threads", w => Copy(w, thread.RootElement, "key", "author", "title", "created_ts", "updated_ts"));
            }
            progress.Clear();
            Console.Out.WriteLine($"imported {counts}");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is ApiCallException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Console.Error.WriteLine($"prg: import: line {lineNumber}: {e.Message} (imported so far: {counts}; rerun to resume)");
            return ExitCodes.Failure;
        }
    }

    private static async Task ImportLineAsync(ApiClient admin, string line, Counts counts, List<(long UpdatedTs, string Line)> retitled)
    {
        using JsonDocument doc = ParseLine(line);
        JsonElement root = doc.RootElement;
        switch (root.TryGetProperty("type", out JsonElement type) ? type.GetString() : null)
        {
            case "user":
                counts.Users++;
                break;
            case "thread":
                // Created as of its creation; a later updated_ts is applied at the end, in updated
                // order, which is how the author's by-updated list gets the source's order.
                bool threadNew = await PostAsync(admin, "/admin/import/threads", w => Copy(w, root, "key", "author", "title", "created_ts"));
                counts.Threads++;
                counts.NewThreads += threadNew ? 1 : 0;
                if (root.TryGetProperty("updated_ts", out JsonElement updatedValue) && root.TryGetProperty("created_ts", out JsonElement createdValue)
                    && updatedValue.TryGetInt64(out long updatedTs) && createdValue.TryGetInt64(out long createdTs) && updatedTs > createdTs)
                {
                    retitled.Add((updatedTs, line));
                }

                break;
            case "message":
                string thread = Required(root, "thread");
                string path = $"/admin/import/threads/{Uri.EscapeDataString(thread)}/messages";
                bool messageNew = false;
                if (root.TryGetProperty("versions", out JsonElement versions) && versions.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement version in versions.EnumerateArray())
                    {
                        bool created = await PostAsync(admin, path, w =>
                        {
                            Copy(w, root, "key", "author", "created_ts");
                            Copy(w, version, "updated_ts", "version", "body");
                        });
                        messageNew |= created;
                        counts.Versions++;
                        counts.NewVersions += created ? 1 : 0;
                    }
                }
                else
                {
                    // A source without versions (or a message never edited): one version, numbered 1.
                    messageNew = await PostAsync(admin, path, w =>
                    {
                        Copy(w, root, "key", "author", "created_ts", "updated_ts", "body");
                        w.WriteNumber("version", 1);
                    });
                    counts.Versions++;
                    counts.NewVersions += messageNew ? 1 : 0;
                }
                counts.Messages++;
                counts.NewMessages += messageNew ? 1 : 0;
                break;
            default:
                throw new InvalidDataException("not an export line (its \"type\" is not user, thread or message)");
        }
    }

    private static JsonDocument ParseLine(string line)
    {
        try
        {
            JsonDocument doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                doc.Dispose();
                throw new InvalidDataException("not a JSON object");
            }
            return doc;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not JSON: {e.Message}", e);
        }
    }

    private static string Required(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InvalidDataException($"the line has no \"{name}\"");

    /// <summary>Posts a JSON object; true when it created something (201), false when it was there (200).</summary>
    private static async Task<bool> PostAsync(ApiClient admin, string path, Action<Utf8JsonWriter> properties)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            properties(w);
            w.WriteEndObject();
        }
        using JsonDocument answer = await admin.SendJsonAsync(HttpMethod.Post, path, buffer.ToArray());
        return answer.RootElement.TryGetProperty("status", out JsonElement status) && status.GetString() == "created";
    }

    private static void Copy(Utf8JsonWriter w, JsonElement source, params string[] names)
    {
        foreach (string name in names)
        {
            if (source.TryGetProperty(name, out JsonElement value))
            {
                w.WritePropertyName(name);
                value.WriteTo(w);
            }
        }
    }

    private sealed class Counts
    {
        public long Users, Threads, NewThreads, Messages, NewMessages, Versions, NewVersions;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Users} users, {Threads} threads ({NewThreads} new), {Messages} messages ({NewMessages} new), {Versions} versions ({NewVersions} new)");
    }
}
