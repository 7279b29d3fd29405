// Starting a job that would run alongside an unfinished job doing the same thing (two KEK
// rotations, two DEK rotations of one thread): the caller gets the running job's id.
namespace Prg.Api.Jobs;

public sealed class JobConflictException(string runningJobId, string message) : Exception(message)
{
    public string RunningJobId { get; } = runningJobId;
}
