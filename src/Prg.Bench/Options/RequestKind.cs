// The request kinds `prg bench http` sends.
namespace Prg.Bench;

public enum RequestKind
{
    /// <summary>POST a message to one of the bench's threads (expects 201).</summary>
    Post = 0,

    /// <summary>GET a page of 50 messages of one of the bench's threads (expects 200).</summary>
    Get = 1,

    /// <summary>POST a new thread (expects 201).</summary>
    Create = 2,
}
