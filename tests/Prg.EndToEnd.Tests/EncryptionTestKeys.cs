// Fixed master keys for the encryption end-to-end tests, written to 0600 files, with the forms a
// leak would take (hex either case, base64) so test output can be searched for them.
using System.Security.Cryptography;
using System.Text;

namespace Prg.EndToEnd.Tests;

internal static class EncryptionTestKeys
{
    public const string Key1Hex = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    public const string Key2Hex = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

    /// <summary>Writes <paramref name="hex"/> to a new key file with the given mode (0600 unless testing a refusal).</summary>
    public static string WriteKeyFile(string directory, string name, string hex, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, hex + "\n");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    /// <summary>The kek_id prg derives from a key: first 8 bytes of HMAC-SHA256(key, "prg-kek-id"), hex.</summary>
    public static string KekId(string hex) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Convert.FromHexString(hex), Encoding.ASCII.GetBytes("prg-kek-id"))[..8]);

    public static string EncryptionYaml(string keyFile, params string[] previous) =>
        "encryption:\n  enabled: true\n  kms:\n    master_key_file: " + keyFile + "\n"
        + (previous.Length == 0 ? "" : "    previous_master_key_files: [" + string.Join(", ", previous) + "]\n");

    /// <summary>Asserts no form of any test key appears in prg's output.</summary>
    public static void AssertNoKeyMaterial(string output)
    {
        foreach (string hex in new[] { Key1Hex, Key2Hex, PrgProcess.MasterKeyHex })
        {
            byte[] bytes = Convert.FromHexString(hex);
            Assert.DoesNotContain(hex, output, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Convert.ToBase64String(bytes), output);
            Assert.DoesNotContain(Convert.ToBase64String(bytes).TrimEnd('='), output);
            Assert.DoesNotContain(hex[..32], output, StringComparison.OrdinalIgnoreCase);
        }
    }
}
