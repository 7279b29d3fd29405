// `prg kms --config FILE`: the service's settings under a `kms:` mapping, in the small YAML subset
// a settings file needs (scalars, quoted strings, inline [a, b] lists and "- item" lists, # comments).
// Prg.Kms does not depend on the Api's YAML reader; this one refuses anything it does not know, so a
// typo is an error rather than a silently ignored setting.
using System.Globalization;

namespace Prg.Kms;

/// <summary>Values read from a key service config file; null where the file is silent.</summary>
public sealed class KmsConfigFile
{
    private static readonly string[] s_keys =
        ["socket", "addr", "data_dir", "master_key_file", "previous_master_key_files", "allow_uids", "insecure_tcp", "max_body_bytes"];

    public string? Socket { get; private set; }

    public string? Addr { get; private set; }

    public string? DataDir { get; private set; }

    public string? MasterKeyFile { get; private set; }

    public List<string> PreviousMasterKeyFiles { get; } = [];

    public List<uint> AllowUids { get; } = [];

    public bool? InsecureTcp { get; private set; }

    public long? MaxBodyBytes { get; private set; }

    /// <exception cref="FormatException">The file is not valid for the key service (message names the line).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static KmsConfigFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <exception cref="FormatException">The text is not valid for the key service.</exception>
    public static KmsConfigFile Parse(string text, string source = "config")
    {
        ArgumentNullException.ThrowIfNull(text);
        var config = new KmsConfigFile();
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        bool inKms = false;
        bool sawKms = false;
        string? listKey = null;
        int listIndent = -1;
        for (int n = 0; n < lines.Length; n++)
        {
            string line = StripComment(lines[n]).TrimEnd();
            if (line.Trim().Length == 0)
            {
                continue;
            }

            string where = $"{source}:{n + 1}";
            int indent = line.Length - line.TrimStart().Length;
            string content = line.Trim();
            if (indent == 0)
            {
                listKey = null;
                if (content == "kms:")
                {
                    inKms = true;
                    sawKms = true;
                }
                else
                {
                    inKms = false; // other sections (e.g. a shared file with the server's settings) are not ours
                }

                continue;
            }

            if (!inKms)
            {
                continue;
            }

            if (content.StartsWith("- ", StringComparison.Ordinal) || content == "-")
            {
                if (listKey is null || indent < listIndent)
                {
                    throw new FormatException($"{where}: a list item without a list key above it");
                }

                config.AddListItem(listKey, Unquote(content[1..].Trim(), where), where);
                continue;
            }

            int colon = content.IndexOf(':');
            if (colon <= 0)
            {
                throw new FormatException($"{where}: expected 'key: value'");
            }

            string key = content[..colon].Trim().Replace('-', '_');
            string value = content[(colon + 1)..].Trim();
            if (Array.IndexOf(s_keys, key) < 0)
            {
                throw new FormatException($"{where}: unknown key kms.{key} (known: {string.Join(", ", s_keys)})");
            }

            listKey = null;
            if (key is "previous_master_key_files" or "allow_uids")
            {
                if (value.Length == 0)
                {
                    listKey = key;
                    listIndent = indent + 1;
                }
                else if (value.StartsWith('[') && value.EndsWith(']'))
                {
                    foreach (string item in value[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        config.AddListItem(key, Unquote(item, where), where);
                    }
                }
                else
                {
                    config.AddListItem(key, Unquote(value, where), where);
                }

                continue;
            }

            config.SetScalar(key, Unquote(value, where), where);
        }

        if (!sawKms)
        {
            throw new FormatException($"{source}: no 'kms:' section");
        }

        return config;
    }

    private void SetScalar(string key, string value, string where)
    {
        switch (key)
        {
            case "socket":
                Socket = value;
                break;
            case "addr":
                Addr = value;
                break;
            case "data_dir":
                DataDir = value;
                break;
            case "master_key_file":
                MasterKeyFile = value;
                break;
            case "insecure_tcp":
                InsecureTcp = value switch
                {
                    "true" => true,
                    "false" => false,
                    _ => throw new FormatException($"{where}: kms.insecure_tcp must be true or false"),
                };
                break;
            case "max_body_bytes":
                MaxBodyBytes = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes)
                    ? bytes
                    : throw new FormatException($"{where}: kms.max_body_bytes must be a whole number of bytes");
                break;
        }
    }

    private void AddListItem(string key, string value, string where)
    {
        if (key == "allow_uids")
        {
            AllowUids.Add(uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out uint uid)
                ? uid
                : throw new FormatException($"{where}: kms.allow_uids entries must be numeric uids"));
        }
        else
        {
            PreviousMasterKeyFiles.Add(value);
        }
    }

    private static string Unquote(string value, string where)
    {
        if (value.Length >= 2 && ((value[0] == '"' && value[^1] == '"') || (value[0] == '\'' && value[^1] == '\'')))
        {
            return value[1..^1];
        }

        if (value.StartsWith('"') || value.StartsWith('\''))
        {
            throw new FormatException($"{where}: unterminated quoted string");
        }

        return value;
    }

    private static string StripComment(string line)
    {
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i];
            }
        }

        return line;
    }
}
