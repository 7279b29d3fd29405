// The HTTP application: IP allow-list, CORS, routing, authentication, rate limiting, the handler,
// then metrics and the debug request log. Handlers throw ApiException for error answers.
using System.Diagnostics;
using Prg.Api.Auth;
using Prg.Api.Feeds;
using Prg.Api.Handlers;
using Prg.Api.Http;
using Prg.Api.Metrics;
using Prg.Api.Operations;
using Prg.Api.Security;
using Prg.Http;
using Prg.Logging;
using HttpMethod = Prg.Http.HttpMethod;

namespace Prg.Api;

public sealed class PrgApplication : IHttpApplication
{
    private readonly Router _router = new();
    private readonly RequestAuthenticator _authenticator;
    private readonly RateLimiter _rateLimiter;
    private readonly CorsPolicy _cors;
    private readonly IpAllowList _allowList;
    private readonly ApiMetrics _metrics;
    private readonly Log _log;
    private readonly int _unroutedMetrics;

    public PrgApplication(ApiServices services)
    {
        _authenticator = new RequestAuthenticator(services.Keys, services.Signatures);
        _rateLimiter = services.RateLimiter;
        _cors = services.Cors;
        _allowList = services.AllowList;
        _metrics = services.Metrics;
        _log = services.Log;
        _unroutedMetrics = _metrics.Register("unrouted");
        MapRoutes(services);
    }

    private void MapRoutes(ApiServices s)
    {
        var system = new SystemHandlers(s.Chat, s.Signatures, s.Metrics, s.IsReady, s.KeyService);
        var threads = new ThreadHandlers(s.Chat, s.MaxResponseBytes);
        var messages = new MessageHandlers(s.Chat, s.MaxResponseBytes);
        var feeds = new FeedHandlers(s.Chat, s.Store, s.Cipher, _authenticator, s.Feeds, s.MaxResponseBytes);
        var reads = new ReadHandlers(s.Chat);

        Map(HttpMethod.Get, "/healthz", system.Health, RouteScope.Public);
        Map(HttpMethod.Get, "/readyz", system.Ready, RouteScope.Public);
        MapJson(HttpMethod.Post, "/backend/v1/sign", system.Sign, RouteScope.Backend);
        foreach (var prefix in new[] { "/frontend/v1", "/v1" })
        {
            MapJson(HttpMethod.Post, prefix + "/threads", threads.Create, RouteScope.User);
            Map(HttpMethod.Get, prefix + "/threads", threads.List, RouteScope.User);
            Map(HttpMethod.Get, prefix + "/threads/{t}", threads.Get, RouteScope.User);
            MapJson(HttpMethod.Put, prefix + "/threads/{t}", threads.Update, RouteScope.User);
            Map(HttpMethod.Delete, prefix + "/threads/{t}", threads.Delete, RouteScope.User);
            MapJson(HttpMethod.Post, prefix + "/threads/{t}/messages", messages.Create, RouteScope.User);
            Map(HttpMethod.Get, prefix + "/threads/{t}/messages", messages.List, RouteScope.User);
            Map(HttpMethod.Get, prefix + "/threads/{t}/messages/{m}", messages.Get, RouteScope.User);
            MapJson(HttpMethod.Put, prefix + "/threads/{t}/messages/{m}", messages.Edit, RouteScope.User);
            Map(HttpMethod.Delete, prefix + "/threads/{t}/messages/{m}", messages.Delete, RouteScope.User);
            Map(HttpMethod.Get, prefix + "/threads/{t}/messages/{m}/versions", messages.Versions, RouteScope.User);
            // The feed authenticates itself: key + user headers, or a browser's stream token.
            Map(HttpMethod.Get, prefix + "/threads/{t}/events", feeds.ThreadEvents, RouteScope.Public);
            Map(HttpMethod.Post, prefix + "/threads/{t}/events/token", feeds.ThreadToken, RouteScope.User);
            Map(HttpMethod.Get, prefix + "/events", feeds.InboxEvents, RouteScope.Public);
            Map(HttpMethod.Post, prefix + "/events/token", feeds.InboxToken, RouteScope.User);
            MapJson(HttpMethod.Post, prefix + "/threads/{t}/read", reads.MarkRead, RouteScope.User);
        }
        Map(HttpMethod.Get, "/admin/health", system.AdminHealth, RouteScope.Admin);
        Map(HttpMethod.Get, "/admin/stats", system.Stats, RouteScope.Admin);
        Map(HttpMethod.Get, "/admin/users", system.Users, RouteScope.Admin);
        Map(HttpMethod.Get, "/admin/users/{u}/threads", system.UserThreads, RouteScope.Admin);
        Map(HttpMethod.Get, "/admin/users/{u}/threads/{t}/messages", system.ThreadMessages, RouteScope.Admin);
        Map(HttpMethod.Post, "/admin/jobs/purge", ctx => system.Purge(ctx, s.Retention), RouteScope.Admin);
        Map(HttpMethod.Get, "/admin/jobs/{id}", s.KmsAdmin.Job, RouteScope.Admin);
        Map(HttpMethod.Get, "/admin/threads/{t}/kms", s.KmsAdmin.ThreadKms, RouteScope.Admin);
        Map(HttpMethod.Post, "/admin/threads/{t}/rotate-dek", s.KmsAdmin.RotateDek, RouteScope.Admin);
        MapJson(HttpMethod.Post, "/admin/encryption/rotate-kek", s.KmsAdmin.RotateKek, RouteScope.Admin);
        var backup = new BackupHandlers(s.Backups);
        Map(HttpMethod.Post, "/admin/backup", backup.Start, RouteScope.Admin);
        Map(HttpMethod.Get, "/admin/backup/{id}/files/{n}", backup.File, RouteScope.Admin);
        Map(HttpMethod.Delete, "/admin/backup/{id}", backup.End, RouteScope.Admin);
        var import = new ImportHandlers(s.Store, s.Cipher);
        MapJson(HttpMethod.Post, "/admin/import/threads", import.Thread, RouteScope.Admin);
        MapJson(HttpMethod.Post, "/admin/import/threads/{t}/messages", import.Message, RouteScope.Admin);
        Map(HttpMethod.Get, "/admin/metrics", system.Prometheus, RouteScope.Admin);
        Map(HttpMethod.Get, "/metrics", system.Prometheus, RouteScope.Admin);
    }

    /// <summary>A route whose handler reads a JSON body (JsonBody): other content types are a 415.</summary>
    private void MapJson(HttpMethod method, string pattern, RequestHandler handler, RouteScope scope) =>
        Map(method, pattern, JsonContentType.Required(handler), scope);

    private void Map(HttpMethod method, string pattern, RequestHandler handler, RouteScope scope)
    {
        var info = new RouteInfo($"{method.ToString().ToUpperInvariant()} {pattern}", scope);
        info.MetricsIndex = _metrics.Register(info.Name);
        _router.Map(method, pattern, handler, info);
    }

    public async ValueTask HandleAsync(HttpContext ctx)
    {
        var started = Stopwatch.GetTimestamp();
        var metricsIndex = _unroutedMetrics;
        try
        {
            metricsIndex = await DispatchAsync(ctx);
        }
        catch (ApiException e)
        {
            ctx.Response.WriteError(e.Status, e.Message);
        }
        var elapsed = Stopwatch.GetTimestamp() - started;
        _metrics.Record(metricsIndex, ctx.Response.StatusCode, elapsed);
        if (_log.IsEnabled(LogLevel.Debug))
        {
            _log.Debug("request",
                LogField.Text("method", ctx.Request.Method.ToString()),
                LogField.Text("path", ctx.Request.PathString),
                LogField.Number("status", ctx.Response.StatusCode),
                LogField.Duration("duration", Stopwatch.GetElapsedTime(started)));
        }
    }

    /// <summary>
    /// Before `100 Continue`: the checks the head alone decides (allow-list, credentials), so a caller
    /// that would be refused is refused before it sends the body. HandleAsync repeats them with the body in.
    /// </summary>
    public bool AcceptRequestHead(HttpContext ctx)
    {
        var started = Stopwatch.GetTimestamp();
        var metricsIndex = _unroutedMetrics;
        try
        {
            CheckAllowList(ctx);
            var match = _router.Match(ctx);
            if (match.Kind == RouteMatchKind.Found && match.Tag is RouteInfo { Scope: not RouteScope.Public } route)
            {
                metricsIndex = route.MetricsIndex;
                _authenticator.Authenticate(ctx.Request, route.Scope, new Caller());
            }
            return true;
        }
        catch (ApiException e)
        {
            ApplyCors(ctx);
            ctx.Response.WriteError(e.Status, e.Message);
            _metrics.Record(metricsIndex, e.Status, Stopwatch.GetTimestamp() - started);
            return false;
        }
    }

    // Unix-socket peers have no address: the socket file's mode decides who reaches them.
    private void CheckAllowList(HttpContext ctx)
    {
        if (!_allowList.IsEmpty && ctx.RemoteAddress is { } remote && !_allowList.Contains(remote))
        {
            throw new ApiException(403, "forbidden");
        }
    }

    private async ValueTask<int> DispatchAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        CheckAllowList(ctx);
        ApplyCors(ctx);
        if (request.Method == HttpMethod.Options)
        {
            ctx.Response.StatusCode = 204;
            return _unroutedMetrics;
        }

        var match = _router.Match(ctx);
        switch (match.Kind)
        {
            case RouteMatchKind.NotFound:
                throw ApiException.NotFound("not found");
            case RouteMatchKind.InvalidPath:
                throw ApiException.BadRequest("invalid path encoding");
            case RouteMatchKind.MethodNotAllowed:
                ctx.Response.AddHeader("Allow"u8, match.Allow!);
                throw new ApiException(405, "method not allowed");
        }

        var route = (RouteInfo)match.Tag!;
        // From here on the request belongs to its route: its error answers are counted under it too.
        try
        {
            if (route.Scope != RouteScope.Public)
            {
                var caller = new Caller();
                _authenticator.Authenticate(request, route.Scope, caller);
                if (_rateLimiter.IsEnabled && !_rateLimiter.TryAcquire(caller.KeyIndex, out var retryAfter))
                {
                    ctx.Response.AddHeader("Retry-After"u8, retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    throw new ApiException(429, "rate limit exceeded");
                }
                ctx.Items = caller;
            }
            await match.Handler!(ctx);
        }
        catch (ApiException e)
        {
            ctx.Response.WriteError(e.Status, e.Message);
        }
        catch (Exception e) when (!ctx.Aborted.IsCancellationRequested)
        {
            // A bug, not the client's doing: a 500 that is counted and logged (never the exception's text).
            _metrics.RecordInternalError();
            _log.Error("request failed", LogField.Text("route", route.Name), LogField.Error(e));
            ctx.Response.WriteError(500, "internal error");
        }
        return route.MetricsIndex;
    }

    private void ApplyCors(HttpContext ctx)
    {
        if (!_cors.IsEnabled || !ctx.Request.TryGetHeader("origin"u8, out var origin) || !_cors.IsAllowed(origin))
        {
            return;
        }
        var response = ctx.Response;
        response.AddHeader("Access-Control-Allow-Origin"u8, origin);
        response.AddHeader("Vary"u8, "Origin"u8);
        response.AddHeader("Access-Control-Allow-Methods"u8, CorsPolicy.AllowMethods);
        response.AddHeader("Access-Control-Allow-Headers"u8, CorsPolicy.AllowHeaders);
        response.AddHeader("Access-Control-Max-Age"u8, CorsPolicy.MaxAge);
    }
}
