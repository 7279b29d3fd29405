// A YAML block mapping; keeps entries in document order so errors and unknown-key reports follow the file.
namespace Prg.Api.Config;

public sealed class YamlMapping : YamlNode
{
    private readonly List<KeyValuePair<string, YamlNode>> _entries = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public YamlMapping(int line)
        : base(line)
    {
    }

    public IReadOnlyList<KeyValuePair<string, YamlNode>> Entries => _entries;

    public int Count => _entries.Count;

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out YamlNode? value)
    {
        if (_index.TryGetValue(key, out int i))
        {
            value = _entries[i].Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Adds an entry; returns false (and adds nothing) when the key is already present.</summary>
    internal bool TryAdd(string key, YamlNode value)
    {
        if (!_index.TryAdd(key, _entries.Count))
        {
            return false;
        }

        _entries.Add(new KeyValuePair<string, YamlNode>(key, value));
        return true;
    }
}
