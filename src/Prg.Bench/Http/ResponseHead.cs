// What the load generator needs from a response head: status, body length, whether the server
// closes the connection afterwards.
namespace Prg.Bench;

public readonly record struct ResponseHead(int Status, int HeadLength, long ContentLength, bool Close);
