// What ConfigLoader.Load returns: the validated config, the file it came from (if any) and the keys it ignored.
namespace Prg.Api.Config;

/// <param name="Config">The merged, validated configuration.</param>
/// <param name="SourcePath">Full path of the config file read, or null when none was used.</param>
/// <param name="UnknownKeys">Dotted paths of file keys prg does not use (log them once at debug level).</param>
public sealed record LoadedConfig(PrgConfig Config, string? SourcePath, IReadOnlyList<string> UnknownKeys);
