// DurableKv micro-benchmarks: point reads, and single-record commits in relaxed and fsync mode.
using System.Text;
using BenchmarkDotNet.Attributes;
using Prg.Storage.Engine;

namespace Prg.Benchmarks.Storage;

[MemoryDiagnoser]
public class DurableKvBenchmarks
{
    private const int Keys = 100_000;
    private string _dir = "";
    private DurableKv _relaxed = null!;
    private DurableKv _fsync = null!;
    private byte[][] _keys = [];
    private readonly byte[] _value = new byte[200];
    private readonly WriteBatch _batch = new();
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "prg-bench-kv-" + Guid.NewGuid().ToString("N"));
        _relaxed = DurableKv.Open(new DurableKvOptions { Directory = Path.Combine(_dir, "relaxed"), Durability = Durability.Relaxed });
        _fsync = DurableKv.Open(new DurableKvOptions { Directory = Path.Combine(_dir, "fsync") });
        _keys = Enumerable.Range(0, Keys).Select(i => Encoding.UTF8.GetBytes($"thread:bench:msg:{i:D12}")).ToArray();
        var batch = new WriteBatch();
        for (int i = 0; i < Keys; i++)
        {
            batch.Clear();
            batch.Put(_keys[i], _value);
            _relaxed.Apply(batch);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _relaxed.Dispose();
        _fsync.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark]
    public bool PointRead() => _relaxed.TryGet(_keys[_next++ % Keys], out _);

    [Benchmark]
    public async Task CommitRelaxed()
    {
        _batch.Clear();
        _batch.Put(_keys[_next++ % Keys], _value);
        await _relaxed.CommitAsync(_batch);
    }

    [Benchmark]
    public async Task CommitFsyncSingleWriter()
    {
        _batch.Clear();
        _batch.Put(_keys[_next++ % Keys], _value);
        await _fsync.CommitAsync(_batch);
    }
}
