// The embedded default of `prg serve` with no configuration at all (design brief): development API
// and signing keys kept in a 0600 file in the data directory (its path printed once), and a master
// key generated there on first run (0600). Never used when any configuration is given.
using System.Security.Cryptography;
using System.Text.Json;
using Prg.Api.Config;
using Prg.Api.Logging;
using Prg.Crypto;

namespace Prg.Api;

public static class DevDefaults
{
    public const string KeysFileName = "dev-keys.json";
    public const string MasterKeyFileName = "master.key";

    public static void Apply(PrgConfig config, string dataDir, Log log)
    {
        var keysPath = Path.Combine(dataDir, KeysFileName);
        var keys = File.Exists(keysPath) ? Read(keysPath) : Create(keysPath);
        var apiKeys = config.Server.ApiKeys;
        apiKeys.Admin = [keys.Admin];
        apiKeys.Backend = [keys.Backend];
        apiKeys.Frontend = [keys.Frontend];
        apiKeys.Signing = [keys.Signing];
        Console.Error.WriteLine($"prg: development API keys are in {keysPath} (mode 0600)");

        if (config.Encryption.Enabled && !config.Encryption.Kms.HasMasterKey)
        {
            var masterPath = Path.Combine(dataDir, MasterKeyFileName);
            if (!File.Exists(masterPath))
            {
                var kekId = KeyFile.WriteNew(masterPath);
                log.Info("generated master key", LogField.Text("path", masterPath), LogField.Text("kek_id", kekId));
            }
            config.Encryption.Kms.MasterKeyFile = masterPath;
        }
    }

    private static DevKeys Create(string path)
    {
        var keys = new DevKeys(NewKey("admin"), NewKey("backend"), NewKey("frontend"), NewKey("signing"));
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using var stream = new FileStream(path, options);
        JsonSerializer.Serialize(stream, keys, ApiJsonContext.Default.DevKeys);
        stream.Flush(flushToDisk: true);
        return keys;
    }

    private static DevKeys Read(string path)
    {
        if ((File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
        {
            throw new StartupException($"development key file '{path}' is readable by group or others; chmod 600 it");
        }
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), ApiJsonContext.Default.DevKeys)
                ?? throw new StartupException($"development key file '{path}' is empty");
        }
        catch (JsonException)
        {
            throw new StartupException($"development key file '{path}' is not valid; delete it to make new keys");
        }
    }

    private static string NewKey(string role) => $"dev-{role}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
}
