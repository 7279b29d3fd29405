// Guards the security property that secret comparisons go through the constant-time BCL primitive:
// the auth sources must call CryptographicOperations.FixedTimeEquals and never an early-exit comparison.
namespace Prg.Api.Tests.Auth;

public class ConstantTimeComparisonTests
{
    [Theory]
    [InlineData("ApiKeyRing.cs")]
    [InlineData("UserSignature.cs")]
    public void SecretComparisonsUseFixedTimeEquals(string file)
    {
        string source = File.ReadAllText(Path.Combine(FindRepoRoot(), "src", "Prg.Api", "Auth", file));
        string code = string.Join('\n', source.Split('\n').Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));

        Assert.Contains("CryptographicOperations.FixedTimeEquals(", code);
        Assert.DoesNotContain("SequenceEqual", code);
        Assert.DoesNotContain("string.Equals", code);
        Assert.DoesNotContain(".Equals(", code);
    }

    private static string FindRepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")) && Directory.Exists(Path.Combine(dir.FullName, "src", "Prg.Api")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Repository root not found above " + AppContext.BaseDirectory);
    }
}
