// What a client needs from a response head: status, body length, whether the server
// closes the connection afterwards.
namespace Prg.Http;

public readonly record struct HttpResponseHead(int Status, int HeadLength, long ContentLength, bool Close);
