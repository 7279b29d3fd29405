// The YAML a config file may be written in (YamlDotNet reads it): flow mappings and lists, quoting,
// comments, null spellings, anchors, document markers, CRLF and a BOM all mean what YAML says; every
// syntax error names file:line.
using Prg.Api.Config;
using Prg.Logging;

namespace Prg.Api.Tests.Config;

public sealed class ConfigFileSyntaxTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void FlowMappingsLoadLikeBlockMappings()
    {
        PrgConfig c = Load("""
            server: {address: 0.0.0.0, port: 9001, api_keys: {admin: [a1], signing: ["s1", 's2']}}
            retention: { enabled: true, cron: "0 3 * * *" }
            """);

        Assert.Equal("0.0.0.0", c.Server.Address);
        Assert.Equal(9001, c.Server.Port);
        Assert.Equal(["a1"], c.Server.ApiKeys.Admin);
        Assert.Equal(["s1", "s2"], c.Server.ApiKeys.Signing);
        Assert.True(c.Retention.Enabled);
        Assert.Equal("0 3 * * *", c.Retention.Cron);
    }

    [Fact]
    public void ReferenceRateLimitFlowMappingLoads()
    {
        PrgConfig c = Load("server:\n  rate_limit: {rps: 1000, burst: 2000}\n");

        Assert.Equal(1000, c.Server.RateLimit.Rps);
        Assert.Equal(2000, c.Server.RateLimit.Burst);
    }

    [Theory]
    [InlineData("server:\n  db_path: \"./d # not a comment\" # a comment\n", "./d # not a comment")]
    [InlineData("server:\n  db_path: ./d#not-a-comment\n", "./d#not-a-comment")]
    [InlineData("server:\n  db_path: 'it''s'\n", "it's")]
    [InlineData("server:\n  db_path: \"tab\\there \\u00e9\"\n", "tab\there é")]
    [InlineData("server:\n  db_path: 'null'\n", "null")]
    [InlineData("server:\n  db_path: /srv/prg\n", "/srv/prg")]
    [InlineData("---\nserver:\n  db_path: /srv/prg\n...\n", "/srv/prg")]
    [InlineData("server:\r\n  db_path: /srv/crlf\r\n", "/srv/crlf")]
    [InlineData("\uFEFFserver:\n  db_path: /srv/bom\n", "/srv/bom")]
    [InlineData("x: &dir /srv/anchored\nserver:\n  db_path: *dir\n", "/srv/anchored")]
    [InlineData("server:\n  db_path: >-\n    /srv/folded\n", "/srv/folded")]
    public void ScalarsMeanWhatYamlSays(string yaml, string dbPath)
    {
        Assert.Equal(dbPath, Load(yaml).Server.DbPath);
    }

    [Theory]
    [InlineData("logging:\n  level:\n")]
    [InlineData("logging:\n  level: ~\n")]
    [InlineData("logging:\n  level: null\n")]
    [InlineData("logging:\n  level: NULL\n")]
    [InlineData("logging: {}\n")]
    [InlineData("logging:\n")]
    public void NullSpellingsKeepTheDefault(string yaml)
    {
        Assert.Equal(LogLevel.Info, Load(yaml).Logging.Level);
    }

    [Fact]
    public void QuotedNullIsAStringNotNull()
    {
        var ex = Assert.Throws<ConfigException>(() => Load("logging:\n  level: 'null'\n"));

        Assert.Contains("expected debug, info, warn or error, got 'null'", ex.Message);
    }

    [Fact]
    public void CommentedOutListItemsLeaveAnEmptyList()
    {
        PrgConfig c = Load("server:\n  ip_whitelist:\n    # - \"127.0.0.1\"\n  port: 9002\n");

        Assert.Empty(c.Server.IpWhitelist);
        Assert.Equal(9002, c.Server.Port);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n")]
    [InlineData("# only comments\n  # more\n")]
    [InlineData("---\n")]
    public void DocumentsWithoutContentGiveDefaults(string yaml)
    {
        Assert.Equal(8080, Load(yaml).Server.Port);
    }

    [Theory]
    [InlineData("server:\n\tport: 1\n", 2, "tab")]
    [InlineData("server:\n  port: 1\n \t address: x\n", 3, "tab")]
    [InlineData("server:\n  port: 1\n  port: 2\n", 3, "duplicate key")]
    [InlineData("server:\n  address: \"open\n", 2, "quoted scalar")]
    [InlineData("server:\n  port: 1\n---\nserver:\n  port: 2\n", 4, "one YAML document")]
    [InlineData("server:\n  address: a: b\n", 2, "mapping")]
    [InlineData("x: *nowhere\n", 1, "anchor")]
    [InlineData("? [a, b]\n: 1\n", 1, "mapping keys must be")]
    public void SyntaxErrorsNameFileAndLine(string yaml, int line, string fragment)
    {
        string file = _dir.Write("bad.yaml", yaml);

        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, new Dictionary<string, string?>(), _dir.Path));

        Assert.Equal(file, ex.FilePath);
        Assert.Equal(line, ex.LineNumber);
        Assert.StartsWith($"{file}:{line}: ", ex.Message);
        Assert.Contains(fragment, ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', ex.Message);
    }

    private PrgConfig Load(string yaml) =>
        ConfigLoader.Load(_dir.Write("config.yaml", yaml), new Dictionary<string, string?>(), _dir.Path).Config;
}
