// The embedded defaults of `prg serve` (design brief). With no configuration at all: development API
// and signing keys kept in a 0600 file in the data directory (its path printed once). Whenever
// embedded encryption has no master key configured (no configuration, or a file without one): the
// master key in the data directory, generated there (0600) on first run.
using System.Security.Cryptography;
using System.Text.Json;
using Prg.Api.Config;
using Prg.Crypto;
using Prg.Logging;

namespace Prg.Api;

public static class DevDefaults
{
    public const string KeysFileName = "dev-keys.json";
    public const string MasterKeyFileName = "master.key";

    /// <summary>Development API and signing keys; only for `prg serve` with no configuration at all.</summary>
    public static void Apply(PrgConfig config, string dataDir)
    {
        var keysPath = Path.Combine(dataDir, KeysFileName);
        var keys = File.Exists(keysPath) ? Read(keysPath) : Create(keysPath);
        var apiKeys = config.Server.ApiKeys;
        apiKeys.Admin = [keys.Admin];
        apiKeys.Backend = [keys.Backend];
        apiKeys.Frontend = [keys.Frontend];
        apiKeys.Signing = [keys.Signing];
        Console.Error.WriteLine($"prg: development API keys are in {keysPath} (mode 0600)");
    }

    /// <summary>
    /// Embedded encryption without a configured master key uses the data directory's key, generated
    /// on first run and loaded (mode checked) like any configured key file.
    /// </summary>
    public static void UseDataDirectoryMasterKey(EncryptionConfig encryption, string dataDir, Log log)
    {
        var kms = encryption.Kms;
        if (!encryption.Enabled || kms.Mode != KmsMode.Embedded || kms.HasMasterKey)
        {
            return;
        }
        var masterPath = Path.Combine(dataDir, MasterKeyFileName);
        if (!File.Exists(masterPath))
        {
            var kekId = KeyFile.WriteNew(masterPath);
            log.Info("generated master key", LogField.Text("path", masterPath), LogField.Text("kek_id", kekId));
        }
        kms.MasterKeyFile = masterPath;
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
