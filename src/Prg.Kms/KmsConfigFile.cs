// `prg kms --config FILE`: the service's settings under a `kms:` mapping, read with YamlDotNet's
// representation model (no reflection, AOT-safe). Unknown keys under `kms:` are refused, so a typo is
// an error rather than a silently ignored setting; other top-level sections are left to their owners.
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

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
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new FormatException($"{source}:{ex.Start.Line}: {ex.Message}");
        }

        // Other top-level sections (e.g. a file shared with the server's settings) are not ours.
        YamlNode? kms = stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode root
            ? root.Children.FirstOrDefault(e => e.Key is YamlScalarNode { Value: "kms" }).Value
            : null;

        var config = new KmsConfigFile();
        switch (kms)
        {
            case null:
                throw new FormatException($"{source}: no 'kms:' section");
            case YamlScalarNode { Value: null or "" or "~" }:
                return config;
            case not YamlMappingNode:
                throw new FormatException($"{source}:{kms.Start.Line}: kms: expected a mapping of keys");
        }

        foreach ((YamlNode keyNode, YamlNode value) in ((YamlMappingNode)kms).Children)
        {
            string where = $"{source}:{keyNode.Start.Line}";
            string key = ((keyNode as YamlScalarNode)?.Value ?? string.Empty).Replace('-', '_');
            if (Array.IndexOf(s_keys, key) < 0)
            {
                throw new FormatException($"{where}: unknown key kms.{key} (known: {string.Join(", ", s_keys)})");
            }

            if (key is "previous_master_key_files" or "allow_uids")
            {
                IEnumerable<YamlNode> items = value is YamlSequenceNode list ? list.Children : [value];
                foreach (YamlNode item in items)
                {
                    config.AddListItem(key, ScalarText(item, key, where), where);
                }
            }
            else
            {
                config.SetScalar(key, ScalarText(value, key, where), where);
            }
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

    private static string ScalarText(YamlNode node, string key, string where) =>
        node is YamlScalarNode scalar ? scalar.Value ?? string.Empty : throw new FormatException($"{where}: kms.{key} must be a single value");
}
