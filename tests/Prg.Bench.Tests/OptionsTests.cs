// Option values of the three modes: defaults, accepted forms, and a clear error naming the option
// for each kind of bad value.
using System.Net;
using System.Net.Sockets;

namespace Prg.Bench.Tests;

public class OptionsTests
{
    private static OptionReader Reader(string command, params (string Name, string Value)[] values) =>
        OptionReader.FromDictionary(command, values.ToDictionary(v => v.Name, v => v.Value));

    [Fact]
    public void Crypto_defaults_are_the_documented_sizes_one_thread_two_seconds()
    {
        CryptoBenchOptions options = CryptoBenchOptions.Parse(Reader("bench crypto"));
        Assert.Equal([64, 1024, 16384], options.Sizes);
        Assert.Equal([1], options.Threads);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Duration);
    }

    [Fact]
    public void Crypto_accepts_lists_of_sizes_and_thread_counts()
    {
        CryptoBenchOptions options = CryptoBenchOptions.Parse(Reader("bench crypto", ("sizes", "16, 4096"), ("threads", "1,2"), ("seconds", "0.5")));
        Assert.Equal([16, 4096], options.Sizes);
        Assert.Equal([1, 2], options.Threads);
        Assert.Equal(TimeSpan.FromSeconds(0.5), options.Duration);
    }

    [Theory]
    [InlineData("sizes", "0", "--sizes '0' must be a comma-separated list of whole numbers from 1 to")]
    [InlineData("sizes", "64,abc", "--sizes '64,abc' must be a comma-separated list")]
    [InlineData("sizes", "64,64", "--sizes '64,64' lists 64 twice")]
    [InlineData("sizes", "", "--sizes '' must be a comma-separated list")]
    [InlineData("threads", "0", "--threads '0' must be a comma-separated list of whole numbers from 1 to 256")]
    [InlineData("seconds", "-1", "--seconds '-1' must be a number from 0.1 to 3600")]
    [InlineData("seconds", "ten", "--seconds 'ten' must be a number")]
    [InlineData("seconds", "NaN", "--seconds 'NaN' must be a number")]
    public void Crypto_rejects_bad_values_naming_the_option(string name, string value, string expected)
    {
        var e = Assert.Throws<BenchOptionException>(() => CryptoBenchOptions.Parse(Reader("bench crypto", (name, value))));
        Assert.StartsWith("bench crypto: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Kms_needs_an_endpoint()
    {
        var e = Assert.Throws<BenchOptionException>(() => KmsBenchOptions.Parse(Reader("bench kms")));
        Assert.Equal("bench kms: --endpoint is required (where prg kms listens, e.g. --endpoint unix:/run/prgkms.sock)", e.Message);
    }

    [Theory]
    [InlineData("unix:", "--endpoint: key service endpoint 'unix:' has no socket path")]
    [InlineData("localhost", "--endpoint: key service endpoint 'localhost' must be unix:/path/to.sock or host:port")]
    [InlineData("localhost:99999", "has an invalid port")]
    public void Kms_rejects_a_malformed_endpoint(string endpoint, string expected)
    {
        var e = Assert.Throws<BenchOptionException>(() => KmsBenchOptions.Parse(Reader("bench kms", ("endpoint", endpoint))));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("Parameter", e.Message);
    }

    [Theory]
    [InlineData("batch", "0", "--batch '0' must be a whole number from 1 to 10000")]
    [InlineData("batch", "10001", "--batch '10001' must be a whole number from 1 to 10000")]
    [InlineData("size", "-3", "--size '-3' must be a whole number from 1 to 1048576")]
    [InlineData("concurrency", "1.5", "--concurrency '1.5' must be a whole number from 1 to 1024")]
    public void Kms_rejects_out_of_range_numbers(string name, string value, string expected)
    {
        var e = Assert.Throws<BenchOptionException>(() => KmsBenchOptions.Parse(Reader("bench kms", ("endpoint", "unix:/tmp/k.sock"), (name, value))));
        Assert.Equal("bench kms: " + expected, e.Message);
    }

    [Fact]
    public void Kms_defaults()
    {
        KmsBenchOptions options = KmsBenchOptions.Parse(Reader("bench kms", ("endpoint", "unix:/tmp/k.sock")));
        Assert.Equal((50, 200, 1, 5.0), (options.Batch, options.Size, options.Concurrency, options.Duration.TotalSeconds));
    }

    [Fact]
    public void Http_defaults_to_the_local_server_closed_loop_post_and_get()
    {
        HttpBenchOptions options = HttpBenchOptions.Parse(Reader("bench http", ("api-key", "k")));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8080), options.Target);
        Assert.Equal("127.0.0.1:8080", options.Host);
        Assert.Equal((64, 1, 1, 200, 0.0), (options.Connections, options.Pipeline, options.Threads, options.BodySize, options.Rate));
        Assert.Equal("post=1,get=1,create=0", options.Mix.ToString());
        Assert.Equal(64, options.ChatThreads);
        Assert.Equal("bench", options.User);
    }

    [Fact]
    public void Http_takes_a_unix_socket_and_a_host_name_url()
    {
        HttpBenchOptions unix = HttpBenchOptions.Parse(Reader("bench http", ("api-key", "k"), ("unix", "/tmp/prg.sock")));
        Assert.IsType<UnixDomainSocketEndPoint>(unix.Target);
        Assert.Equal("unix:/tmp/prg.sock", unix.TargetDisplay);

        HttpBenchOptions named = HttpBenchOptions.Parse(Reader("bench http", ("api-key", "k"), ("url", "http://localhost:9000"), ("connections", "8")));
        Assert.Equal(new DnsEndPoint("localhost", 9000), named.Target);
        Assert.Equal(8, named.ChatThreads);
    }

    [Theory]
    [InlineData("url", "https://127.0.0.1:8443", "must be http://HOST:PORT (https is not supported")]
    [InlineData("url", "127.0.0.1:8080", "must be http://HOST:PORT")]
    [InlineData("url", "http://127.0.0.1:8080/v1", "without a path or query")]
    [InlineData("connections", "0", "--connections '0' must be a whole number from 1 to 10000")]
    [InlineData("rate", "-5", "--rate '-5' must be a number from 0 to")]
    [InlineData("body-size", "10", "--body-size '10' must be a whole number from 20 to")]
    [InlineData("pipeline", "0", "--pipeline '0' must be a whole number from 1 to 1024")]
    [InlineData("threads", "65", "--threads 65 is more than --connections 64")]
    [InlineData("mix", "post=1,put=2", "--mix: unknown request kind 'put' (known: post, get, create)")]
    [InlineData("mix", "post=0,get=0", "--mix: at least one weight must be positive")]
    [InlineData("mix", "post", "--mix: 'post' must be kind=weight")]
    [InlineData("mix", "post=1,post=2", "--mix: 'post' is given twice")]
    [InlineData("user", "a\nb", "--user must be printable ASCII")]
    public void Http_rejects_bad_values_naming_the_option(string name, string value, string expected)
    {
        var e = Assert.Throws<BenchOptionException>(() => HttpBenchOptions.Parse(Reader("bench http", ("api-key", "k"), (name, value))));
        Assert.StartsWith("bench http: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Http_needs_an_api_key_and_one_target()
    {
        var missing = Assert.Throws<BenchOptionException>(() => HttpBenchOptions.Parse(Reader("bench http")));
        Assert.Contains("--api-key is required", missing.Message);
        var both = Assert.Throws<BenchOptionException>(() => HttpBenchOptions.Parse(
            Reader("bench http", ("api-key", "k"), ("url", "http://127.0.0.1:1"), ("unix", "/tmp/s"))));
        Assert.Contains("either --url or --unix, not both", both.Message);
    }

    [Theory]
    [InlineData(1, 1, 0, "PG")]
    [InlineData(3, 1, 0, "PPGP")]
    [InlineData(0, 1, 0, "G")]
    [InlineData(2, 1, 1, "PGCP")]
    public void A_mix_cycle_holds_each_kind_in_proportion_interleaved(int post, int get, int create, string expected)
    {
        var cycle = new RequestMix(post, get, create).Cycle();
        string text = new([.. cycle.Select(k => k switch { RequestKind.Post => 'P', RequestKind.Get => 'G', _ => 'C' })]);
        Assert.Equal(post + get + create, text.Length);
        Assert.Equal(post, text.Count(c => c == 'P'));
        Assert.Equal(get, text.Count(c => c == 'G'));
        Assert.Equal(create, text.Count(c => c == 'C'));
        Assert.Equal(expected, text);
    }
}
