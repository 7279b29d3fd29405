// One prg process shared by the tests of a class (xunit class fixture): tests in a class run one after
// another, so a class may reason about server-wide counters; each test still uses its own user ids.
// Rate limiting is off here because conformance walks send thousands of requests with one key.
namespace Prg.EndToEnd.Tests;

public class PrgFixture : IAsyncLifetime
{
    public const string AllowedOrigin = "https://app.example";

    private PrgProcess? _prg;
    private ApiClient? _api;

    public PrgProcess Prg => _prg ?? throw new InvalidOperationException("the fixture has not started");
    public ApiClient Api => _api ?? throw new InvalidOperationException("the fixture has not started");

    protected virtual string ServerYaml => $"""
          rate_limit:
            rps: 0
          cors:
            allowed_origins: ["{AllowedOrigin}", "http://localhost:3000"]

        """;

    protected virtual string TopYaml => "";

    /// <summary>A user id no other test uses.</summary>
    public static string NewUser(string prefix = "u") => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public async Task InitializeAsync()
    {
        _prg = await PrgProcess.StartAsync(ServerYaml, TopYaml);
        _api = new ApiClient(_prg.Port);
    }

    public async Task DisposeAsync()
    {
        _api?.Dispose();
        if (_prg is not null)
        {
            await _prg.DisposeAsync();
        }
    }
}
