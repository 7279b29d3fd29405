// `encryption.*`: whether data is encrypted at rest and with which key service.
namespace Prg.Api.Config;

public sealed class EncryptionConfig
{
    /// <summary>
    /// `encryption.enabled`. On by default: with no configuration prg runs the embedded KMS with a master key
    /// generated into the data directory (design brief, "The executable").
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>`encryption.fields`: accepted for compatibility; prg encrypts the whole body whatever it lists.</summary>
    public List<string> Fields { get; set; } = [];

    /// <summary>
    /// `encryption.rotation_batch_pause` (prg): how long a KEK or DEK rotation job waits after each batch, so
    /// rotating a large store leaves room for foreground requests. 0 (the default): no pause.
    /// </summary>
    public TimeSpan RotationBatchPause { get; set; }

    public KmsConfig Kms { get; } = new();
}
