// Reads JSON texts with Python's json, JavaScript's JSON.parse (one process per parser for a whole batch)
// and System.Text.Json with its default options (depth 64), the parsers ProgressDB clients use. A text
// passes when it decodes as strict UTF-8, parses, holds only finite numbers and serialises again
// (Python: allow_nan=False).
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Prg.EndToEnd.Tests;

public static class JsonParsers
{
    private const string Python = """
        import json, sys
        bad = []
        for i, text in enumerate(sys.stdin.buffer.read().split(b"\0")[:-1]):
            try:
                json.dumps(json.loads(text.decode("utf-8")), allow_nan=False)
            except Exception as e:
                bad.append(f"{i}: {type(e).__name__}: {str(e)[:200]}")
        print("\n".join(bad[:10]))
        sys.exit(1 if bad else 0)
        """;

    private const string Node = """
        const input = require("fs").readFileSync(0);
        const decoder = new TextDecoder("utf-8", { fatal: true });
        const finite = (k, v) => { if (typeof v === "number" && !Number.isFinite(v)) throw new Error("non-finite number"); return v; };
        const bad = [];
        let start = 0;
        for (let i = 0, end; (end = input.indexOf(0, start)) >= 0; i++, start = end + 1) {
          try { JSON.stringify(JSON.parse(decoder.decode(input.subarray(start, end)), finite)); }
          catch (e) { bad.push(`${i}: ${String(e).slice(0, 200)}`); }
        }
        console.log(bad.slice(0, 10).join("\n"));
        process.exit(bad.length ? 1 : 0);
        """;

    /// <summary>Asserts that both parsers read every text (texts must not hold a raw NUL byte, which JSON never does).</summary>
    public static async Task AssertAllReadableAsync(IReadOnlyCollection<byte[]> texts)
    {
        Assert.NotEmpty(texts);
        var input = new MemoryStream();
        foreach (var text in texts)
        {
            Assert.True(text.AsSpan().IndexOf((byte)0) < 0, "a JSON text holds a raw NUL byte");
            using (JsonDocument.Parse(text))
            {
            }
            input.Write(text);
            input.WriteByte(0);
        }
        await RunAsync("python3", ["-c", Python], input.ToArray());
        await RunAsync("node", ["-e", Node], input.ToArray());
    }

    private static async Task RunAsync(string program, string[] args, byte[] input)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(process.ExitCode == 0, $"{program} could not read {input.Count(b => b == 0)} JSON texts: {await output}{await errors}");
    }
}
