// FASTER's writes through the paced writer: they complete off the thread pool, a checkpoint file's
// small write is not queued behind a hybrid-log flush, and the bytes land where FASTER reads them.
using System.Runtime.InteropServices;
using FASTER.core;
using Prg.Storage.Engine.Io;

namespace Prg.Storage.Tests;

public sealed class PacedWriterTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly List<IntPtr> _buffers = [];

    [Fact]
    public async Task Completions_run_on_the_writer_thread_never_on_the_thread_pool()
    {
        using var writer = new PacedWriter(64 << 10);
        using PacedDevice device = NewDevice(writer, "hlog.log", smallWritesFirst: false);
        var done = new TaskCompletionSource<(bool Pool, string? Name, uint Error)>(TaskCreationOptions.RunContinuationsAsynchronously);

        device.WriteAsync(Buffer(256 << 10, 7), 0, 0, 256 << 10,
            (error, _, _) => done.SetResult((Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name, error)), null!);

        (bool pool, string? name, uint error) = await done.Task.WaitAsync(Deadline);
        Assert.Equal(0u, error);
        Assert.False(pool);
        Assert.Equal("prg-hlog-writer", name);
    }

    [Fact]
    public void A_checkpoint_file_write_overtakes_a_queued_hybrid_log_flush()
    {
        using var writer = new PacedWriter(64 << 10);
        using PacedDevice hlog = NewDevice(writer, "hlog.log", smallWritesFirst: false);
        using PacedDevice metadata = NewDevice(writer, "info.dat", smallWritesFirst: true);
        var order = new List<string>();
        using var both = new CountdownEvent(2);
        void Done(string name)
        {
            lock (order)
            {
                order.Add(name);
            }

            both.Signal();
        }

        hlog.WriteAsync(Buffer(16 << 20, 1), 0, 0, 16 << 20, (_, _, _) => Done("hlog"), null!);
        metadata.WriteAsync(Buffer(4096, 2), 0, 0, 4096, (_, _, _) => Done("metadata"), null!);

        Assert.True(both.Wait(Deadline));
        Assert.Equal(["metadata", "hlog"], order);
    }

    [Fact]
    public unsafe void Bytes_written_in_chunks_read_back_through_the_wrapped_device_in_any_segment()
    {
        using var writer = new PacedWriter(64 << 10);
        using PacedDevice device = NewDevice(writer, "hlog.log", smallWritesFirst: false);
        device.Initialize(1L << 22);
        const int length = 300 << 10; // not a multiple of the chunk
        IntPtr source = Buffer(length, 0);
        for (int i = 0; i < length; i++)
        {
            ((byte*)source)[i] = (byte)(i * 31 + 5);
        }

        ulong address = (1UL << 22) + 8192; // segment 1, through the direct-addressing overload

        using (var written = new ManualResetEventSlim())
        {
            uint writeError = uint.MaxValue;
            device.WriteAsync(source, address, length, (error, _, _) => { writeError = error; written.Set(); }, null!);
            Assert.True(written.Wait(Deadline));
            Assert.Equal(0u, writeError);
        }

        IntPtr target = Buffer(length, 0);
        using (var read = new ManualResetEventSlim())
        {
            device.ReadAsync(1, 8192, target, length, (_, _, _) => read.Set(), null!);
            Assert.True(read.Wait(Deadline));
        }
        Assert.True(new ReadOnlySpan<byte>((byte*)source, length).SequenceEqual(new ReadOnlySpan<byte>((byte*)target, length)));
        Assert.True(File.Exists(_dir.Combine("hlog.log.1")));
    }

    [Fact]
    public void A_write_after_the_writer_closed_reports_failure_instead_of_vanishing()
    {
        var writer = new PacedWriter(64 << 10);
        using PacedDevice device = NewDevice(writer, "hlog.log", smallWritesFirst: false);
        writer.Dispose();
        uint reported = 0;

        device.WriteAsync(Buffer(4096, 3), 0, 0, 4096, (error, _, _) => reported = error, null!);

        Assert.NotEqual(0u, reported);
    }

    public unsafe void Dispose()
    {
        foreach (IntPtr buffer in _buffers)
        {
            NativeMemory.AlignedFree((void*)buffer);
        }

        _dir.Dispose();
    }

    private PacedDevice NewDevice(PacedWriter writer, string name, bool smallWritesFirst)
        => new(Devices.CreateLogDevice(_dir.Combine(name), recoverDevice: false), writer, smallWritesFirst);

    private unsafe IntPtr Buffer(int length, byte fill)
    {
        var buffer = (IntPtr)NativeMemory.AlignedAlloc((nuint)length, 4096);
        new Span<byte>((void*)buffer, length).Fill(fill);
        _buffers.Add(buffer);
        return buffer;
    }
}
