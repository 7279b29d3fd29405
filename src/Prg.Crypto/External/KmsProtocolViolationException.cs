// Raised inside the client when the service's bytes are not a response it can read; the call is
// then treated like a lost connection (the connection is dropped and the caller sees unavailable).
namespace Prg.Crypto;

internal sealed class KmsProtocolViolationException(string message) : IOException(message);
