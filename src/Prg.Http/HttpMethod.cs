// The request methods the parser recognises as bytes; anything else that is a valid token is Custom.
namespace Prg.Http;

public enum HttpMethod : byte
{
    Custom = 0,
    Get,
    Head,
    Post,
    Put,
    Delete,
    Patch,
    Options,
    Trace,
    Connect,
}
