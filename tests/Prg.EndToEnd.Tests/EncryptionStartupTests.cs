// `prg serve` refuses to start without a usable master key: each case prints one clear line on
// stderr and exits 1, and never echoes key material.
namespace Prg.EndToEnd.Tests;

public sealed class EncryptionStartupTests
{
    private static async Task AssertRefusedAsync(Func<string, string> yamlFor, string expected)
    {
        string work = PrgProcess.NewDirectory();
        await using var prg = await PrgProcess.StartAsync(topYaml: yamlFor(work), workDir: work, waitReady: false);
        Assert.Equal(1, await prg.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        string[] lines = prg.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, "expected one line, got:\n" + prg.Output);
        Assert.StartsWith("prg:", lines[0]);
        Assert.Contains(expected, lines[0]);
        EncryptionTestKeys.AssertNoKeyMaterial(prg.Output);
    }

    [Fact]
    public Task AKeyFileReadableByOthersIsRefused() => AssertRefusedAsync(
        work => EncryptionTestKeys.EncryptionYaml(EncryptionTestKeys.WriteKeyFile(work, "loose.key", EncryptionTestKeys.Key1Hex,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead)),
        "has mode 0644 but must not be accessible by group or others");

    [Fact]
    public Task AKeyFileOfTheWrongLengthIsRefused() => AssertRefusedAsync(
        work => EncryptionTestKeys.EncryptionYaml(EncryptionTestKeys.WriteKeyFile(work, "short.key", EncryptionTestKeys.Key1Hex[..62])),
        "has 62 characters; it must contain exactly 64 hex characters");

    [Fact]
    public Task AMissingKeyFileIsRefused() => AssertRefusedAsync(
        work => EncryptionTestKeys.EncryptionYaml(Path.Combine(work, "nowhere.key")),
        "does not exist");

    [Fact]
    public Task AHexKeyOfTheWrongLengthIsRefused() => AssertRefusedAsync(
        _ => "encryption:\n  enabled: true\n  kms:\n    master_key_hex: " + EncryptionTestKeys.Key1Hex[..60] + "\n",
        "master_key_hex");
}
