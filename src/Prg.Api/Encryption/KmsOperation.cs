// The key-provider operations counted for /metrics (label op="...").
namespace Prg.Api.Encryption;

public enum KmsOperation
{
    CreateDek,
    Encrypt,
    Decrypt,
    EncryptBatch,
    DecryptBatch,
    RotateDek,
    RewrapDek,
}
