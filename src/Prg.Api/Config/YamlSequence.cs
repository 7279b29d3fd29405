// A YAML sequence, block (`- item`) or flow (`[a, b]`).
namespace Prg.Api.Config;

public sealed class YamlSequence : YamlNode
{
    private readonly List<YamlNode> _items = [];

    public YamlSequence(int line)
        : base(line)
    {
    }

    public IReadOnlyList<YamlNode> Items => _items;

    internal void Add(YamlNode item) => _items.Add(item);
}
