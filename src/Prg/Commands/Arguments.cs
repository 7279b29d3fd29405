// A small, strict parser for "--flag value", "--flag=value" and boolean "--flag" options.
namespace Prg.Commands;

public sealed class Arguments
{
    private readonly Dictionary<string, List<string>> _values = [];
    private readonly HashSet<string> _switches = [];
    private readonly string _command;

    private Arguments(string command)
    {
        _command = command;
    }

    /// <param name="valued">Options that take a value.</param>
    /// <param name="switches">Options that take none.</param>
    public static Arguments Parse(string command, string[] args, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> switches)
    {
        var parsed = new Arguments(command);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) && arg != "-h")
            {
                throw new UsageException($"{command}: unexpected argument '{arg}'");
            }
            var name = arg == "-h" ? "help" : arg[2..];
            string? value = null;
            var eq = name.IndexOf('=');
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            if (switches.Contains(name))
            {
                if (value is not null)
                {
                    throw new UsageException($"{command}: --{name} takes no value");
                }
                parsed._switches.Add(name);
                continue;
            }
            if (!valued.Contains(name))
            {
                throw new UsageException($"{command}: unknown option '--{name}'");
            }
            if (value is null)
            {
                if (i + 1 >= args.Length)
                {
                    throw new UsageException($"{command}: --{name} needs a value");
                }
                value = args[++i];
            }
            if (!parsed._values.TryGetValue(name, out var list))
            {
                parsed._values[name] = list = [];
            }
            list.Add(value);
        }
        return parsed;
    }

    public bool Has(string name) => _switches.Contains(name);

    public string? Get(string name) => _values.TryGetValue(name, out var list) ? list[^1] : null;

    /// <summary>The option's value; a usage error naming it and <paramref name="placeholder"/> (e.g. FILE) when it was not given.</summary>
    public string Require(string name, string placeholder) =>
        Get(name) ?? throw new UsageException($"{_command}: --{name} {placeholder} is required");

    public IReadOnlyList<string> GetAll(string name) => _values.TryGetValue(name, out var list) ? list : [];
}
