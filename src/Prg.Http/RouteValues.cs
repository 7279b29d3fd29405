// The {param} captures of a matched route, in path order, looked up by name.
namespace Prg.Http;

public sealed class RouteValues
{
    private readonly List<KeyValuePair<string, string>> _values = new(4);

    public int Count => _values.Count;

    public string this[string name] =>
        TryGet(name, out var value) ? value : throw new KeyNotFoundException($"route value '{name}' was not captured");

    public bool TryGet(string name, out string value)
    {
        foreach (var pair in _values)
        {
            if (pair.Key == name)
            {
                value = pair.Value;
                return true;
            }
        }
        value = "";
        return false;
    }

    internal void Add(string name, string value) => _values.Add(new(name, value));

    internal void Clear() => _values.Clear();
}
