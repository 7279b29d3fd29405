// The one thing the server calls: handle a parsed request by filling ctx.Response.
namespace Prg.Http;

public interface IHttpApplication
{
    ValueTask HandleAsync(HttpContext context);
}
