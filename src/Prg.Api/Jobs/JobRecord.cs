// The durable state of one background job, stored as JSON in a ChatStore sys key after every batch,
// so a job interrupted by a crash resumes from its cursor at the next start.
namespace Prg.Api.Jobs;

public sealed class JobRecord
{
    public string Id { get; set; } = "";

    /// <summary>Which <see cref="IJobKind"/> runs it (e.g. "rotate-kek").</summary>
    public string Kind { get; set; } = "";

    /// <summary>One of <see cref="JobStates"/>.</summary>
    public string State { get; set; } = JobStates.Queued;

    /// <summary>Items handled so far (including items that needed nothing or failed).</summary>
    public long Done { get; set; }

    /// <summary>Items known to exist; can grow while the job runs (new writes).</summary>
    public long Total { get; set; }

    /// <summary>Items that could not be handled.</summary>
    public long Errors { get; set; }

    /// <summary>Where to resume: the kind's own position marker (last item handled), null = from the start.</summary>
    public string? Cursor { get; set; }

    /// <summary>Kind-specific parameters, fixed when the job is created.</summary>
    public Dictionary<string, string> Params { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Why the job failed, or the last notable problem (never key material).</summary>
    public string? Message { get; set; }

    /// <summary>Unix nanoseconds.</summary>
    public long CreatedTs { get; set; }

    /// <summary>Unix nanoseconds of the last persisted change.</summary>
    public long UpdatedTs { get; set; }

    public JobRecord Clone() => new()
    {
        Id = Id,
        Kind = Kind,
        State = State,
        Done = Done,
        Total = Total,
        Errors = Errors,
        Cursor = Cursor,
        Params = new Dictionary<string, string>(Params, StringComparer.Ordinal),
        Message = Message,
        CreatedTs = CreatedTs,
        UpdatedTs = UpdatedTs,
    };
}
