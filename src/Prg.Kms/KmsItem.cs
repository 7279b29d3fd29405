// One parsed encrypt or decrypt item: the key, its input (plaintext or frame) and the AAD to bind.
using Prg.Crypto;

namespace Prg.Kms;

internal readonly record struct KmsItem(string KeyId, byte[] Input, RecordAad Aad);
