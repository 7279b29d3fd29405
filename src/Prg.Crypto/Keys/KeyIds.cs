// How DEK key ids are named. Deterministic per thread, so provisioning a thread's DEK twice finds
// the first one instead of creating a second (create is idempotent), and so the Api layer can go
// from a key id back to the thread meta that stores its material.
namespace Prg.Crypto;

/// <summary>Key id naming: <c>"dek_" + threadId</c>.</summary>
public static class KeyIds
{
    /// <summary>Prefix of every thread DEK key id.</summary>
    public const string ThreadPrefix = "dek_";

    /// <summary>The key id of a thread's DEK.</summary>
    public static string ForThread(string threadId)
    {
        ArgumentException.ThrowIfNullOrEmpty(threadId);
        return ThreadPrefix + threadId;
    }

    /// <summary>Recovers the thread id from a key id made by <see cref="ForThread"/>.</summary>
    public static bool TryGetThreadId(string keyId, out string threadId)
    {
        if (keyId is not null && keyId.Length > ThreadPrefix.Length && keyId.StartsWith(ThreadPrefix, StringComparison.Ordinal))
        {
            threadId = keyId[ThreadPrefix.Length..];
            return true;
        }

        threadId = string.Empty;
        return false;
    }
}
