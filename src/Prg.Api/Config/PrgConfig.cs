// Root of prg's effective configuration. A new instance holds the built-in defaults, so `prg serve`
// with no file and no environment runs on exactly these values.
namespace Prg.Api.Config;

public sealed class PrgConfig
{
    public ServerConfig Server { get; } = new();

    public LoggingConfig Logging { get; } = new();

    public RetentionConfig Retention { get; } = new();

    public FeedsConfig Feeds { get; } = new();

    public EncryptionConfig Encryption { get; } = new();

    /// <summary>Checks every value; throws a <see cref="ConfigException"/> naming the first bad key.</summary>
    public void Validate() => ConfigValidator.Validate(this, origins: null);
}
