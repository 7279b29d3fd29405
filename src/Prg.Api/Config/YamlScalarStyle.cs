// How a YAML scalar was written; plain scalars are the only ones that can mean null.
namespace Prg.Api.Config;

public enum YamlScalarStyle
{
    Plain,
    SingleQuoted,
    DoubleQuoted,
}
