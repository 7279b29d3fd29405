// Admin routes of an online backup (`prg backup` is their client):
//   POST   /admin/backup                       pin a consistent snapshot; 201 with its description
//   GET    /admin/backup/{id}/files/{n}?offset=O  up to ChunkBytes of file n from O (application/octet-stream)
//   DELETE /admin/backup/{id}                  end it (checkpoints resume)
// Pulling the files in bounded chunks keeps both sides' memory bounded and needs no streaming
// responses from the HTTP layer; a vanished client's backup ends after the idle timeout.
using System.Globalization;
using Prg.Api.Http;
using Prg.Http;

namespace Prg.Api.Operations;

public sealed class BackupHandlers(BackupSessions sessions)
{
    /// <summary>The most one file request returns.</summary>
    public const int ChunkBytes = 1 << 20;

    private static readonly ReadOnlyMemory<byte> OctetStream = "application/octet-stream"u8.ToArray();

    public async ValueTask Start(HttpContext ctx)
    {
        BackupSession session = await sessions.StartAsync(ctx.Aborted);
        var snapshot = session.Snapshot;
        ctx.Response.StatusCode = 201;
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteString("id"u8, session.Id);
        w.WriteNumber("point"u8, snapshot.Point);
        w.WriteNumber("checkpoint_lsn"u8, snapshot.CheckpointLsn);
        w.WriteNumber("store_format"u8, snapshot.FormatVersion);
        w.WriteNumber("wal_segment_size"u8, snapshot.WalSegmentSize);
        w.WriteNumber("created_ts"u8, session.CreatedTs);
        w.WriteNumber("threads"u8, session.Stats.LiveThreads);
        w.WriteNumber("messages"u8, session.Stats.LiveMessages);
        w.WriteString("master_key"u8, sessions.MasterKeyLocation);
        w.WriteNumber("idle_timeout_seconds"u8, (long)sessions.IdleTimeout.TotalSeconds);
        w.WriteNumber("chunk_bytes"u8, ChunkBytes);
        w.WriteStartArray("files"u8);
        foreach (var file in snapshot.Files)
        {
            w.WriteStartObject();
            w.WriteString("path"u8, "store/" + file.Path);
            w.WriteNumber("size"u8, file.Length);
            w.WriteNumber("pad_to"u8, file.PadTo);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
    }

    public ValueTask File(HttpContext ctx)
    {
        BackupSession session = sessions.Get(ctx.RouteValues["id"]);
        var files = session.Snapshot.Files;
        if (!int.TryParse(ctx.RouteValues["n"], NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index >= files.Count)
        {
            throw ApiException.NotFound($"backup file not found (the backup has {files.Count} files, numbered from 0)");
        }

        var file = files[index];
        long offset = 0;
        if (!QueryParameter.TryGet(ctx.Request, "offset"u8, out string? text)
            || (text is not null && (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset > file.Length)))
        {
            throw ApiException.BadRequest($"offset must be a number from 0 to the file's size ({file.Length})");
        }

        var body = ctx.Response.Body;
        body.Clear();
        int wanted = (int)Math.Min(ChunkBytes, file.Length - offset);
        int read;
        try
        {
            read = session.Snapshot.Read(file, offset, body.GetSpan(wanted)[..wanted]);
        }
        catch (ObjectDisposedException)
        {
            throw ApiException.NotFound("backup not found (ended, or idle for longer than the timeout)");
        }
        body.Advance(read);
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = OctetStream;
        return default;
    }

    public ValueTask End(HttpContext ctx)
    {
        if (!sessions.End(ctx.RouteValues["id"]))
        {
            throw ApiException.NotFound("backup not found (ended, or idle for longer than the timeout)");
        }

        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteString("status"u8, "ended");
        w.WriteEndObject();
        w.Flush();
        return default;
    }
}
