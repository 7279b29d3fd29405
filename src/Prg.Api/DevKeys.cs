// The development keys `prg serve` makes for itself on its zero-config default (dev-keys.json).
namespace Prg.Api;

public sealed record DevKeys(string Admin, string Backend, string Frontend, string Signing);
