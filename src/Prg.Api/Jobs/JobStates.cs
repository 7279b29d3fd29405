// The lifecycle states of a background job as they appear in its stored record and on
// GET /admin/jobs/{id}: queued → running → done | failed.
namespace Prg.Api.Jobs;

public static class JobStates
{
    /// <summary>Created and persisted, not started yet.</summary>
    public const string Queued = "queued";

    /// <summary>Working (or interrupted by a crash or shutdown; resumed at the next start).</summary>
    public const string Running = "running";

    /// <summary>Finished; every item was handled.</summary>
    public const string Done = "done";

    /// <summary>Finished with errors, or stopped by an error it could not get past.</summary>
    public const string Failed = "failed";

    public static bool IsFinished(string state) => state is Done or Failed;
}
