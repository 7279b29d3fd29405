// A key service response: status, body (a slice of the connection's receive buffer) and whether
// the connection may be reused.
namespace Prg.Crypto;

internal readonly record struct KmsResponse(int Status, ReadOnlyMemory<byte> Body, bool KeepAlive);
