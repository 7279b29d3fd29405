// Process and .NET runtime figures appended to /metrics under the names Prometheus clients use, so
// stalls can be told apart in production: GC collections and pause time, thread-pool size and
// backlog (starvation), resident memory, CPU time and open descriptors.
using System.Buffers;
using System.Text;
using static Prg.Api.Metrics.PrometheusText;

namespace Prg.Api.Metrics;

public static class RuntimeMetrics
{
    public static void Write(IBufferWriter<byte> output)
    {
        var sb = new StringBuilder(2048);
        const string collections = "dotnet_gc_collections_total";
        Header(sb, collections, "counter", "Garbage collections per generation (a gen-N collection also collects the younger ones).");
        for (int generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            sb.Append($"{collections}{{generation=\"gen{generation}\"}} {GC.CollectionCount(generation)}\n");
        }

        Counter(sb, "dotnet_gc_pause_seconds_total", "Time the runtime was paused for garbage collection.", GC.GetTotalPauseDuration().TotalSeconds);
        Gauge(sb, "dotnet_gc_heap_size_bytes", "Bytes of the managed heap in use.", GC.GetTotalMemory(forceFullCollection: false));
        Gauge(sb, "dotnet_threadpool_threads", "Thread-pool worker threads.", ThreadPool.ThreadCount);
        Gauge(sb, "dotnet_threadpool_queue_length", "Work items queued and not yet started (a growing backlog is starvation).", ThreadPool.PendingWorkItemCount);
        Counter(sb, "dotnet_threadpool_completed_items_total", "Work items the thread pool ran.", ThreadPool.CompletedWorkItemCount);
        Gauge(sb, "process_resident_memory_bytes", "Resident set size.", Environment.WorkingSet);
        Counter(sb, "process_cpu_seconds_total", "User and system CPU time.", Environment.CpuUsage.TotalTime.TotalSeconds);
        Gauge(sb, "process_open_fds", "Open file descriptors.", OpenDescriptors());
        output.Write(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    private static int OpenDescriptors()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
