// Builds the effective configuration: defaults, then the YAML file (`--config`, else PROGRESSDB_CONFIG,
// else ./config.yaml when present), then environment variables (env wins), then validation.
// Keys prg does not use are accepted and returned so the caller can log them once at debug level: a
// config file written for the reference ProgressDB service must start prg unchanged.
using System.Collections;
using YamlDotNet.RepresentationModel;

namespace Prg.Api.Config;

public static class ConfigLoader
{
    public const string ConfigPathVariable = "PROGRESSDB_CONFIG";
    public const string DefaultFileName = "config.yaml";

    /// <summary>Loads from the process environment and working directory.</summary>
    public static LoadedConfig LoadFromProcess(string? explicitPath)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            env[(string)entry.Key] = entry.Value as string;
        }

        return Load(explicitPath, env, System.Environment.CurrentDirectory);
    }

    /// <summary>Loads, merges and validates the configuration.</summary>
    /// <param name="explicitPath">The `--config` argument, or null; the file must exist when given.</param>
    /// <param name="env">Environment variables (empty values count as unset).</param>
    /// <param name="currentDirectory">Base for relative config paths and the ./config.yaml fallback.</param>
    /// <exception cref="ConfigException">The file is missing, unreadable or malformed, or a value is invalid.</exception>
    public static LoadedConfig Load(string? explicitPath, IDictionary<string, string?> env, string currentDirectory)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentException.ThrowIfNullOrEmpty(currentDirectory);

        var config = new PrgConfig();
        var origins = new Dictionary<string, string>(StringComparer.Ordinal);
        var unknown = new List<string>();

        string? path = ResolvePath(explicitPath, env, currentDirectory);
        if (path is not null)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ConfigException($"cannot read config file {path}: {ex.Message}");
            }

            ApplyDocument(config, ConfigYaml.Parse(text, path), path, origins, unknown);
        }

        foreach ((string name, string key) in ConfigSchema.Environment)
        {
            if (env.TryGetValue(name, out string? value) && !string.IsNullOrEmpty(value))
            {
                ConfigSchema.Leaves[key](config, ConfigValue.FromEnvironment(key, name, value));
                origins[key] = "environment variable " + name;
            }
        }

        ConfigValidator.Validate(config, origins);
        return new LoadedConfig(config, path, unknown);
    }

    private static string? ResolvePath(string? explicitPath, IDictionary<string, string?> env, string currentDirectory)
    {
        string? requested = !string.IsNullOrEmpty(explicitPath) ? explicitPath
            : env.TryGetValue(ConfigPathVariable, out string? fromEnv) && !string.IsNullOrEmpty(fromEnv) ? fromEnv
            : null;

        if (requested is not null)
        {
            string full = Path.GetFullPath(requested, currentDirectory);
            if (!File.Exists(full))
            {
                string via = !string.IsNullOrEmpty(explicitPath) ? "--config" : ConfigPathVariable;
                throw new ConfigException($"config file not found: {full} (from {via})");
            }

            return full;
        }

        string fallback = Path.Combine(currentDirectory, DefaultFileName);
        return File.Exists(fallback) ? Path.GetFullPath(fallback) : null;
    }

    private static void ApplyDocument(PrgConfig config, YamlNode? root, string path, Dictionary<string, string> origins, List<string> unknown)
    {
        switch (root)
        {
            case null:
                return;
            case YamlMappingNode mapping:
                // Canonical keys first (a stable sort) so that a legacy `security:` value never overrides one set the new way.
                foreach ((string key, YamlNode value) in Entries(mapping, path).OrderBy(e => e.Key == "security"))
                {
                    ApplyEntry(config, key, value, path, origins, unknown);
                }

                return;
            default:
                throw new ConfigException(path, ConfigYaml.Line(root), "the config file must be a mapping of keys to values");
        }
    }

    private static void ApplyEntry(PrgConfig config, string written, YamlNode node, string path, Dictionary<string, string> origins, List<string> unknown)
    {
        string canonical = ConfigSchema.Canonical(written);

        if (ConfigSchema.Leaves.TryGetValue(canonical, out Action<PrgConfig, ConfigValue>? setter))
        {
            var value = ConfigValue.FromNode(canonical, node, path);
            if (value.IsUnset || (written != canonical && origins.ContainsKey(canonical)))
            {
                return;
            }

            setter(config, value);
            origins[canonical] = $"{path}:{ConfigYaml.Line(node)}";
            return;
        }

        if (ConfigSchema.Sections.Contains(canonical))
        {
            switch (node)
            {
                case YamlMappingNode section:
                    foreach ((string key, YamlNode value) in Entries(section, path))
                    {
                        ApplyEntry(config, written + "." + key, value, path, origins, unknown);
                    }

                    return;
                case YamlScalarNode scalar when ConfigYaml.IsNull(scalar):
                    return;
                default:
                    throw new ConfigException(path, ConfigYaml.Line(node), $"{written}: expected a mapping of keys");
            }
        }

        unknown.Add(written);
    }

    /// <summary>A mapping's entries in file order; keys must be plain values.</summary>
    private static List<(string Key, YamlNode Value)> Entries(YamlMappingNode mapping, string path)
    {
        var entries = new List<(string, YamlNode)>(mapping.Children.Count);
        foreach (KeyValuePair<YamlNode, YamlNode> entry in mapping.Children)
        {
            if (entry.Key is not YamlScalarNode { Value: { Length: > 0 } key })
            {
                throw new ConfigException(path, ConfigYaml.Line(entry.Key), "mapping keys must be non-empty plain values");
            }

            entries.Add((key, entry.Value));
        }

        return entries;
    }
}
