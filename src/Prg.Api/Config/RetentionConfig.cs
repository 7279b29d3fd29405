// `retention.*`: the scheduled permanent purge of soft-deleted threads and messages (with their versions):
// an item goes once deleted_at + its TTL has passed.
namespace Prg.Api.Config;

public sealed class RetentionConfig
{
    /// <summary>`retention.enabled`: run the purge on the schedule below.</summary>
    public bool Enabled { get; set; }

    /// <summary>`retention.cron`: five-field cron expression (minute hour day month weekday) or an @-macro such as @daily.</summary>
    public string Cron { get; set; } = "0 2 * * *";

    /// <summary>`retention.mttl`: how long a soft-deleted message is kept before it is purged.</summary>
    public TimeSpan MessageTtl { get; set; } = TimeSpan.FromHours(720);

    /// <summary>`retention.tttl`: how long a soft-deleted thread is kept before it is purged.</summary>
    public TimeSpan ThreadTtl { get; set; } = TimeSpan.FromHours(720);

    /// <summary>`retention.max_versions_per_message` (prg): versions kept per message, current included; 0 keeps all.</summary>
    public int MaxVersionsPerMessage { get; set; } = 100;
}
