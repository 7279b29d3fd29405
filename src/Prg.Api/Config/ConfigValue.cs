// One raw value on its way into PrgConfig, from a YAML node or an environment variable, with enough
// provenance (file:line or variable name) that every conversion error points at where the value came from.
using Prg.Logging;
using YamlDotNet.RepresentationModel;

namespace Prg.Api.Config;

internal sealed class ConfigValue
{
    private readonly YamlNode? _node;
    private readonly string? _text;
    private readonly string? _filePath;
    private readonly string? _envName;

    private ConfigValue(string path, YamlNode? node, string? text, string? filePath, string? envName)
    {
        Path = path;
        _node = node;
        _text = text;
        _filePath = filePath;
        _envName = envName;
    }

    /// <summary>Canonical dotted key, e.g. `server.port`.</summary>
    public string Path { get; }

    /// <summary>Where the value came from, for messages: `file:line` or `environment variable NAME`.</summary>
    public string Origin => _envName is not null ? $"environment variable {_envName}" : $"{_filePath}:{ConfigYaml.Line(_node!)}";

    /// <summary>True for null, `~` and empty strings: such values leave the default in place.</summary>
    public bool IsUnset => _node switch
    {
        null => string.IsNullOrEmpty(_text),
        YamlScalarNode scalar => ConfigYaml.IsNull(scalar) || string.IsNullOrEmpty(scalar.Value),
        _ => false,
    };

    public static ConfigValue FromNode(string path, YamlNode node, string filePath) => new(path, node, null, filePath, null);

    public static ConfigValue FromEnvironment(string path, string envName, string text) => new(path, null, text, null, envName);

    public string String() => Scalar();

    public int Int32()
    {
        long value = Convert(ConfigValueParser.ParseInteger);
        if (value < int.MinValue || value > int.MaxValue)
        {
            throw Fail($"'{Scalar()}' is out of range");
        }

        return (int)value;
    }

    public double Number() => Convert(ConfigValueParser.ParseNumber);

    public bool Boolean() => Convert(ConfigValueParser.ParseBool);

    public long Size() => Convert(ConfigValueParser.ParseSize);

    public TimeSpan Duration() => Convert(ConfigValueParser.ParseDuration);

    public LogLevel Level() => Scalar().Trim().ToLowerInvariant() switch
    {
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Info,
        "warn" or "warning" => LogLevel.Warn,
        "error" => LogLevel.Error,
        _ => throw Fail($"expected debug, info, warn or error, got '{Scalar()}'"),
    };

    public KmsMode Kms() => Scalar().Trim().ToLowerInvariant() switch
    {
        "embedded" => KmsMode.Embedded,
        "external" => KmsMode.External,
        _ => throw Fail($"expected embedded or external, got '{Scalar()}'"),
    };

    public DurabilityMode Durability() => Scalar().Trim().ToLowerInvariant() switch
    {
        "fsync" => DurabilityMode.Fsync,
        "relaxed" => DurabilityMode.Relaxed,
        _ => throw Fail($"expected fsync or relaxed, got '{Scalar()}'"),
    };

    /// <summary>A Unix file mode in octal, e.g. `0660` or `660` (permission bits only).</summary>
    public UnixFileMode FileMode()
    {
        string text = Scalar().Trim();
        if (text.Length is < 3 or > 4 || !text.All(c => c is >= '0' and <= '7') || (text.Length == 4 && text[0] != '0'))
        {
            throw Fail($"expected an octal file mode such as 0660, got '{text}'");
        }

        return (UnixFileMode)System.Convert.ToInt32(text, 8);
    }

    /// <summary>A list given as a YAML sequence of scalars or as one comma-separated string; blanks are dropped.</summary>
    public List<string> List()
    {
        var result = new List<string>();
        if (_node is YamlSequenceNode sequence)
        {
            foreach (YamlNode item in sequence.Children)
            {
                switch (item)
                {
                    case YamlScalarNode scalar when ConfigYaml.IsNull(scalar):
                        break;
                    case YamlScalarNode scalar:
                        string trimmed = scalar.Value!.Trim();
                        if (trimmed.Length > 0)
                        {
                            result.Add(trimmed);
                        }

                        break;
                    default:
                        throw new ConfigException(_filePath!, ConfigYaml.Line(item), $"{Path}: list items must be plain values");
                }
            }

            return result;
        }

        foreach (string part in Scalar().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            result.Add(part);
        }

        return result;
    }

    public ConfigException Fail(string detail) =>
        _envName is not null
            ? new ConfigException($"environment variable {_envName} ({Path}): {detail}")
            : new ConfigException(_filePath!, ConfigYaml.Line(_node!), $"{Path}: {detail}");

    private string Scalar() => _node switch
    {
        null => _text!,
        YamlScalarNode scalar => ConfigYaml.IsNull(scalar) ? string.Empty : scalar.Value ?? string.Empty,
        YamlMappingNode => throw Fail("expected a single value, got a mapping"),
        _ => throw Fail("expected a single value, got a list"),
    };

    private T Convert<T>(Func<string, T> parse)
    {
        try
        {
            return parse(Scalar());
        }
        catch (FormatException ex)
        {
            throw Fail(ex.Message);
        }
    }
}
