// A route's handler: fills context.Response.
namespace Prg.Http;

public delegate ValueTask RequestHandler(HttpContext context);
