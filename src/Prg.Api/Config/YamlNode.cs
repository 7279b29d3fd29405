// Base of the small YAML document model YamlReader produces (scalars, sequences, mappings).
namespace Prg.Api.Config;

public abstract class YamlNode
{
    private protected YamlNode(int line)
    {
        Line = line;
    }

    /// <summary>1-based source line the node starts on, so callers can point at the offending line.</summary>
    public int Line { get; }
}
