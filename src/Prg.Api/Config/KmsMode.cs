// Where data keys live (config `encryption.kms.mode`).
namespace Prg.Api.Config;

public enum KmsMode
{
    /// <summary>In-process provider holding the master key.</summary>
    Embedded,

    /// <summary>The separate `prg kms` service reached at `encryption.kms.endpoint`.</summary>
    External,
}
