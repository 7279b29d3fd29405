// A YAML scalar: its text (escapes already resolved) or null for an empty value, `~` or `null`.
namespace Prg.Api.Config;

public sealed class YamlScalar : YamlNode
{
    public YamlScalar(string? value, YamlScalarStyle style, int line)
        : base(line)
    {
        if (value is null && style != YamlScalarStyle.Plain)
        {
            throw new ArgumentException("Only plain scalars can be null.", nameof(value));
        }

        Value = value;
        Style = style;
    }

    public string? Value { get; }

    public YamlScalarStyle Style { get; }

    public bool IsNull => Value is null;
}
