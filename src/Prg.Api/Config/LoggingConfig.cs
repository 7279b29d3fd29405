// `logging.*`.
using Prg.Logging;

namespace Prg.Api.Config;

public sealed class LoggingConfig
{
    /// <summary>`logging.level`: debug, info, warn or error.</summary>
    public LogLevel Level { get; set; } = LogLevel.Info;
}
