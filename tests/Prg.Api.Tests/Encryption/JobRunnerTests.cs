// The durable job runner: progress is checkpointed per batch and an interrupted job resumes from its
// cursor in a new runner over the same store; conflicts, failures and unknown ids.
using Prg.Api.Jobs;
using Prg.Logging;

namespace Prg.Api.Tests.Encryption;

public sealed class JobRunnerTests
{
    /// <summary>Handles items 0..Count-1 in batches of 10; the cursor is the last item handled.</summary>
    private sealed class StepJob(int count, int stopAfterBatches = int.MaxValue) : IJobKind
    {
        public const string Name = "step";
        public readonly List<int> Handled = [];
        public readonly TaskCompletionSource Stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Kind => Name;

        public string? ConflictKey(IReadOnlyDictionary<string, string> parameters) => parameters.GetValueOrDefault("target");

        public async ValueTask RunAsync(JobContext job, CancellationToken cancellationToken)
        {
            int next = job.Cursor is null ? 0 : int.Parse(job.Cursor) + 1;
            int batches = 0;
            while (next < count)
            {
                if (batches == stopAfterBatches)
                {
                    Stopped.TrySetResult();
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                int end = Math.Min(next + 10, count);
                for (int i = next; i < end; i++)
                {
                    lock (Handled)
                    {
                        Handled.Add(i);
                    }
                }
                job.Advance(end - next, 0, (end - 1).ToString(), count);
                await job.CheckpointAsync();
                next = end;
                batches++;
            }
        }
    }

    private sealed class ThrowingJob : IJobKind
    {
        public string Kind => "throws";
        public string? ConflictKey(IReadOnlyDictionary<string, string> parameters) => null;
        public ValueTask RunAsync(JobContext job, CancellationToken cancellationToken) => throw new InvalidOperationException("boom at item 3");
    }

    private sealed class FailingJob : IJobKind
    {
        public string Kind => "fails";
        public string? ConflictKey(IReadOnlyDictionary<string, string> parameters) => null;
        public ValueTask RunAsync(JobContext job, CancellationToken cancellationToken)
        {
            job.Advance(4, 2, "x", 4);
            job.Fail("2 items could not be handled");
            return ValueTask.CompletedTask;
        }
    }

    private static Log NewLog() => new(new StringWriter(), LogLevel.Warn);

    [Fact]
    public async Task AnInterruptedJobResumesFromItsLastCheckpointInANewRunner()
    {
        using var dir = new TempDirectory();
        string jobId;
        await using (var store = EncryptedStore.OpenStore(dir.Path))
        {
            var first = new StepJob(50, stopAfterBatches: 2);
            var runner = new JobRunner(store, NewLog());
            runner.Register(first);
            var job = await runner.CreateAsync(StepJob.Name, new Dictionary<string, string>(), 50);
            jobId = job.Id;
            runner.Launch(job);
            await first.Stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await runner.DisposeAsync();
            Assert.Equal(Enumerable.Range(0, 20), first.Handled);
            var stored = new JobStore(store).Get(jobId)!;
            Assert.Equal(JobStates.Running, stored.State);
            Assert.Equal(20, stored.Done);
            Assert.Equal("19", stored.Cursor);
        }

        await using (var store = EncryptedStore.OpenStore(dir.Path))
        {
            var second = new StepJob(50);
            await using var runner = new JobRunner(store, NewLog());
            runner.Register(second);
            Assert.Equal(1, await runner.ResumeUnfinishedAsync());
            await runner.WhenFinished(jobId).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(Enumerable.Range(20, 30), second.Handled);
            var done = runner.Get(jobId)!;
            Assert.Equal(JobStates.Done, done.State);
            Assert.Equal(50, done.Done);
            Assert.Equal(50, done.Total);
            Assert.Equal(0, done.Errors);
            Assert.Empty(runner.Store.ActiveIds());
        }

        await using (var store = EncryptedStore.OpenStore(dir.Path))
        {
            await using var runner = new JobRunner(store, NewLog());
            runner.Register(new StepJob(50));
            Assert.Equal(0, await runner.ResumeUnfinishedAsync());
            Assert.Equal(JobStates.Done, runner.Get(jobId)!.State);
        }
    }

    [Fact]
    public async Task UnknownJobIdsAreNull()
    {
        using var dir = new TempDirectory();
        await using var store = EncryptedStore.OpenStore(dir.Path);
        await using var runner = new JobRunner(store, NewLog());
        Assert.Null(runner.Get("job-0-00000000"));
    }

    [Fact]
    public async Task JobsWithTheSameConflictKeyDoNotRunTogether()
    {
        using var dir = new TempDirectory();
        await using var store = EncryptedStore.OpenStore(dir.Path);
        var kind = new StepJob(30, stopAfterBatches: 1);
        await using var runner = new JobRunner(store, NewLog());
        runner.Register(kind);
        var parameters = new Dictionary<string, string> { ["target"] = "a" };
        var first = await runner.CreateAsync(StepJob.Name, parameters, 30);
        runner.Launch(first);
        await kind.Stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var conflict = await Assert.ThrowsAsync<JobConflictException>(() => runner.CreateAsync(StepJob.Name, parameters, 30).AsTask());
        Assert.Equal(first.Id, conflict.RunningJobId);
        Assert.Equal(first.Id, runner.ActiveJobFor("a"));
        var other = await runner.CreateAsync(StepJob.Name, new Dictionary<string, string> { ["target"] = "b" }, 30);
        Assert.NotEqual(first.Id, other.Id);
    }

    [Fact]
    public async Task AJobThatThrowsIsFailedWithItsMessageAndNoLongerActive()
    {
        using var dir = new TempDirectory();
        await using var store = EncryptedStore.OpenStore(dir.Path);
        await using var runner = new JobRunner(store, NewLog());
        runner.Register(new ThrowingJob());
        var job = await runner.CreateAsync("throws", new Dictionary<string, string>(), 10);
        runner.Launch(job);
        await runner.WhenFinished(job.Id).WaitAsync(TimeSpan.FromSeconds(30));
        var record = runner.Get(job.Id)!;
        Assert.Equal(JobStates.Failed, record.State);
        Assert.Equal("boom at item 3", record.Message);
        Assert.Empty(runner.Store.ActiveIds());
        Assert.Equal(1, runner.Failed);
    }

    [Fact]
    public async Task AJobThatReportsFailureEndsFailedWithItsCounts()
    {
        using var dir = new TempDirectory();
        await using var store = EncryptedStore.OpenStore(dir.Path);
        await using var runner = new JobRunner(store, NewLog());
        runner.Register(new FailingJob());
        var job = await runner.CreateAsync("fails", new Dictionary<string, string>(), 4);
        runner.Launch(job);
        await runner.WhenFinished(job.Id).WaitAsync(TimeSpan.FromSeconds(30));
        var record = new JobStore(store).Get(job.Id)!;
        Assert.Equal(JobStates.Failed, record.State);
        Assert.Equal(4, record.Done);
        Assert.Equal(2, record.Errors);
        Assert.Equal("2 items could not be handled", record.Message);
    }
}
