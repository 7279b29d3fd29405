// What the server calls: handle a parsed request by filling ctx.Response, and (optionally) look at
// the head of a request that waits for `100 Continue` before the server asks for its body.
namespace Prg.Http;

public interface IHttpApplication
{
    ValueTask HandleAsync(HttpContext context);

    /// <summary>
    /// Called with the head of a request that sent <c>Expect: 100-continue</c>, before the server sends
    /// <c>100 Continue</c>. Return false after filling <c>context.Response</c> (e.g. 401) to answer
    /// without receiving the body; the connection closes after that answer. When it returns true the
    /// context is reset and <see cref="HandleAsync"/> runs once the body is in.
    /// </summary>
    bool AcceptRequestHead(HttpContext context) => true;
}
