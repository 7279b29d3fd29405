// Which piece of key material was missing when an UnknownKeyException was raised. An unknown key
// id concerns a whole thread; the others concern only frames under one DEK version.
namespace Prg.Crypto;

/// <summary>What an <see cref="UnknownKeyException"/> could not find.</summary>
public enum UnknownKeyReason
{
    /// <summary>No material is stored for the key id.</summary>
    KeyId,

    /// <summary>The key has no such DEK version.</summary>
    DekVersion,

    /// <summary>The DEK version is wrapped under a KEK (kek_id) that is not configured.</summary>
    Kek,
}
