// The manifest of a backup archive (manifest.json, the archive's second-to-last entry; the last,
// manifest.json.sha256, is its checksum). It names the consistency point, the counts at that point and
// every file with its size and SHA-256. Master keys are never in an archive: "master_key" says so and
// where the key lived.
using System.Text.Json;

namespace Prg.Api.Operations;

public sealed class BackupManifest
{
    public const string FileName = "manifest.json";
    public const string ChecksumFileName = "manifest.json.sha256";
    public const string Format = "prg-backup";
    public const int CurrentVersion = 1;

    public int FormatVersion { get; init; } = CurrentVersion;
    public int StoreFormat { get; init; }
    public long Point { get; init; }
    public long CheckpointLsn { get; init; }
    public long WalSegmentSize { get; init; }
    public long CreatedTs { get; init; }
    public long Threads { get; init; }
    public long Messages { get; init; }
    public string MasterKeyLocation { get; init; } = "";
    public List<BackupFile> Files { get; init; } = [];

    public long TotalBytes => Files.Sum(f => f.Size);

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteNumber("format_version", FormatVersion);
            w.WriteNumber("store_format", StoreFormat);
            w.WriteNumber("point", Point);
            w.WriteNumber("checkpoint_lsn", CheckpointLsn);
            w.WriteNumber("wal_segment_size", WalSegmentSize);
            w.WriteNumber("created_ts", CreatedTs);
            w.WriteStartObject("counts");
            w.WriteNumber("threads", Threads);
            w.WriteNumber("messages", Messages);
            w.WriteNumber("files", Files.Count);
            w.WriteNumber("bytes", TotalBytes);
            w.WriteEndObject();
            w.WriteStartObject("master_key");
            w.WriteBoolean("included", false);
            w.WriteString("location", MasterKeyLocation);
            w.WriteEndObject();
            w.WriteStartArray("files");
            foreach (BackupFile file in Files)
            {
                w.WriteStartObject();
                w.WriteString("path", file.Path);
                w.WriteNumber("size", file.Size);
                w.WriteNumber("pad_to", file.PadTo);
                w.WriteString("sha256", file.Sha256);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <exception cref="InvalidDataException">Not a manifest this prg reads.</exception>
    public static BackupManifest Parse(ReadOnlyMemory<byte> json)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(json);
            JsonElement root = doc.RootElement;
            if (root.GetProperty("format").GetString() != Format)
            {
                throw new InvalidDataException("not a prg backup manifest");
            }

            int version = root.GetProperty("format_version").GetInt32();
            if (version != CurrentVersion)
            {
                throw new InvalidDataException($"backup format version {version}; this prg reads version {CurrentVersion}");
            }

            JsonElement counts = root.GetProperty("counts");
            return new BackupManifest
            {
                FormatVersion = version,
                StoreFormat = root.GetProperty("store_format").GetInt32(),
                Point = root.GetProperty("point").GetInt64(),
                CheckpointLsn = root.GetProperty("checkpoint_lsn").GetInt64(),
                WalSegmentSize = root.GetProperty("wal_segment_size").GetInt64(),
                CreatedTs = root.GetProperty("created_ts").GetInt64(),
                Threads = counts.GetProperty("threads").GetInt64(),
                Messages = counts.GetProperty("messages").GetInt64(),
                MasterKeyLocation = root.GetProperty("master_key").GetProperty("location").GetString() ?? "",
                Files = root.GetProperty("files").EnumerateArray().Select(f => new BackupFile(
                    f.GetProperty("path").GetString() ?? "",
                    f.GetProperty("size").GetInt64(),
                    f.GetProperty("pad_to").GetInt64(),
                    f.GetProperty("sha256").GetString() ?? "")).ToList(),
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"the manifest is malformed: {e.Message}", e);
        }
    }
}
