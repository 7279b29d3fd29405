// The feed routes: a thread's feed (/v1/threads/{t}/events, and /frontend/v1/...) and the caller's inbox
// (/v1/events), each as server-sent events or a long-poll, and the stream tokens a browser opens them
// with. The feed routes authenticate themselves: either the usual key + user headers, or ?token= from
// POST .../events/token (EventSource cannot send headers). A thread feed has the ownership of reading
// the thread and fails closed like a read: the title is opened first, so a key service that is down
// refuses the feed (503) instead of streaming nothing.
using System.Diagnostics;
using System.Security.Cryptography;
using Prg.Api.Auth;
using Prg.Api.Chat;
using Prg.Api.Encryption;
using Prg.Api.Handlers;
using Prg.Api.Http;
using Prg.Api.Security;
using Prg.Crypto;
using Prg.Http;
using Prg.Storage.Chat;

namespace Prg.Api.Feeds;

public sealed class FeedHandlers(IChatService chat, ChatStore store, RecordCipher cipher, RequestAuthenticator authenticator, FeedServices feeds, long maxResponseBytes)
{
    private const int LongPollBatch = 100;
    private const string InboxScope = "inbox";
    private readonly EventViews _views = new(store, cipher);
    private readonly FeedHubs _hubs = new(feeds);

    public async ValueTask ThreadEvents(HttpContext ctx)
    {
        ctx.Items = Authenticate(ctx, ThreadScope(ctx.RouteValues["t"]));
        var thread = Access.OwnedThread(chat, ctx);
        // Opened only to fail closed, like a read of the thread, when its key cannot be had.
        CryptographicOperations.ZeroMemory(await chat.OpenTitleAsync(thread, ctx.Aborted));
        await ServeAsync(ctx, ThreadScope(thread.Id), new ThreadFeedSource(store, _views, thread.Id), onDurable => store.SubscribeFeed(thread.Id, onDurable));
    }

    public async ValueTask InboxEvents(HttpContext ctx)
    {
        var caller = Authenticate(ctx, InboxScope);
        ctx.Items = caller;
        await ServeAsync(ctx, "user:" + caller.User, new InboxFeedSource(store, _views, caller.User), onDurable => store.SubscribeInbox(caller.User, onDurable));
    }

    /// <summary>POST .../threads/{t}/events/token: a short-lived token that opens this thread's feed for the caller.</summary>
    public ValueTask ThreadToken(HttpContext ctx)
    {
        var thread = Access.OwnedThread(chat, ctx);
        WriteToken(ctx, ThreadScope(thread.Id), $"/v1/threads/{Uri.EscapeDataString(thread.Id)}/events");
        return ValueTask.CompletedTask;
    }

    /// <summary>POST /v1/events/token: a short-lived token that opens the caller's inbox feed.</summary>
    public ValueTask InboxToken(HttpContext ctx)
    {
        WriteToken(ctx, InboxScope, "/v1/events");
        return ValueTask.CompletedTask;
    }

    private void WriteToken(HttpContext ctx, string scope, string path)
    {
        var caller = (Caller)ctx.Items!;
        var token = feeds.Tokens.Mint(caller.User, scope, DateTimeOffset.UtcNow);
        ctx.Response.StatusCode = 201;
        var w = ctx.Response.JsonWriter();
        w.WriteStartObject();
        w.WriteString("token"u8, token);
        w.WriteNumber("expires_in"u8, (long)feeds.Tokens.Ttl.TotalSeconds);
        w.WriteString("url"u8, $"{path}?token={token}");
        w.WriteEndObject();
        w.Flush();
    }

    private static string ThreadScope(string threadId) => "thread:" + threadId;

    private Caller Authenticate(HttpContext ctx, string scope)
    {
        var caller = new Caller();
        if (!QueryParameter.TryGet(ctx.Request, "token"u8, out var token))
        {
            throw ApiException.BadRequest("query parameter token is not valid UTF-8");
        }
        if (token is null)
        {
            authenticator.Authenticate(ctx.Request, RouteScope.User, caller);
            return caller;
        }
        if (!feeds.Tokens.TryVerify(token, scope, DateTimeOffset.UtcNow, out var user))
        {
            throw new ApiException(401, "invalid or expired stream token");
        }
        caller.Role = ApiRole.Frontend;
        caller.User = user;
        return caller;
    }

    private async ValueTask ServeAsync(HttpContext ctx, string feed, IFeedSource source, Func<Action, FeedSubscription> subscribe)
    {
        var query = FeedQuery.Parse(ctx.Request);
        if (!feeds.Registry.TryOpen())
        {
            throw new ApiException(503, "too many open feeds");
        }
        FeedHub? hub = null;
        try
        {
            hub = _hubs.Acquire(feed, source, subscribe);
            var cursor = new FeedCursor(hub, query.After ?? hub.Durable);
            if (query.Wait is { } wait)
            {
                await LongPollAsync(ctx, cursor, wait);
            }
            else
            {
                await new EventStream(cursor, feeds, source.ThreadId).RunAsync(ctx, announceStart: query.After is null);
            }
        }
        finally
        {
            if (hub is not null)
            {
                _hubs.Release(hub);
            }
            feeds.Registry.Close();
        }
    }

    /// <summary>Answers a JSON array of the events after the cursor as soon as there are any, or [] at the wait's end.</summary>
    private async ValueTask LongPollAsync(HttpContext ctx, FeedCursor cursor, TimeSpan wait)
    {
        var frames = new List<FeedFrame>();
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var changed = cursor.Changed;
            await cursor.ReadAsync(frames, maxResponseBytes, LongPollBatch, ctx.Aborted);
            var remaining = wait - Stopwatch.GetElapsedTime(started);
            if (frames.Count > 0 || cursor.Ended || remaining <= TimeSpan.Zero || ctx.Stopping.IsCancellationRequested)
            {
                WriteEvents(ctx, frames);
                return;
            }
            await Task.WhenAny(changed, Task.Delay(remaining, ctx.Stopping));
        }
    }

    /// <summary>The frames' JSON as an array; past the byte cap the answer ends early (the client asks again after the last id).</summary>
    private void WriteEvents(HttpContext ctx, List<FeedFrame> frames)
    {
        var w = ctx.Response.JsonWriter();
        w.WriteStartArray();
        long bytes = 0;
        foreach (var frame in frames)
        {
            bytes += frame.Json.Length;
            if (bytes > maxResponseBytes && bytes > frame.Json.Length)
            {
                break;
            }
            w.WriteRawValue(frame.Json, skipInputValidation: true);
        }
        w.WriteEndArray();
        w.Flush();
    }
}
