// A kind of background job: the code that does the work of every job record of that kind.
namespace Prg.Api.Jobs;

public interface IJobKind
{
    /// <summary>The name stored in <see cref="JobRecord.Kind"/>.</summary>
    string Kind { get; }

    /// <summary>
    /// Jobs with the same non-null key never run at the same time (e.g. one KEK rotation at a time,
    /// one DEK rotation per thread).
    /// </summary>
    string? ConflictKey(IReadOnlyDictionary<string, string> parameters);

    /// <summary>
    /// Does (or resumes, from <see cref="JobContext.Cursor"/>) the job's work. Must be idempotent per
    /// item: a crash after an item but before the next checkpoint repeats it. Returning normally
    /// finishes the job (done, or failed if <see cref="JobContext.Fail"/> was called); an exception
    /// fails it; cancellation (shutdown) leaves it to resume at the next start.
    /// </summary>
    ValueTask RunAsync(JobContext job, CancellationToken cancellationToken);
}
