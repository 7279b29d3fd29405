// The encryption and job counters appended to /metrics: decrypt authentication failures, key
// provider calls and failures by operation, and background jobs.
using System.Buffers;
using System.Globalization;
using System.Text;
using Prg.Api.Jobs;
using Prg.Crypto;

namespace Prg.Api.Encryption;

public sealed class EncryptionMetrics(RecordCipher cipher, CountingKeyProvider? provider, JobRunner jobs)
{
    private static readonly (KmsOperation Operation, string Label)[] s_operations =
    [
        (KmsOperation.CreateDek, "create_dek"),
        (KmsOperation.Encrypt, "encrypt"),
        (KmsOperation.Decrypt, "decrypt"),
        (KmsOperation.EncryptBatch, "encrypt_batch"),
        (KmsOperation.DecryptBatch, "decrypt_batch"),
        (KmsOperation.RotateDek, "rotate_dek"),
        (KmsOperation.RewrapDek, "rewrap_dek"),
    ];

    /// <summary>Appends the Prometheus text lines (for <c>ApiMetrics.AppendExtra</c>).</summary>
    public void Write(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var sb = new StringBuilder(1024);
        sb.Append("# HELP prg_decrypt_auth_failures_total Stored frames that failed authentication on read.\n# TYPE prg_decrypt_auth_failures_total counter\n");
        sb.Append(CultureInfo.InvariantCulture, $"prg_decrypt_auth_failures_total {cipher.AuthenticationFailures}\n");
        // Key memory can stop being lockable long after start (the lock limit is reached by a growing DEK cache).
        sb.Append("# HELP prg_key_memory_locked 1 while every page of cached-DEK memory is locked in RAM, 0 once one could not be.\n# TYPE prg_key_memory_locked gauge\n");
        sb.Append(CultureInfo.InvariantCulture, $"prg_key_memory_locked {(KeyMemory.Shared.IsLocked ? 1 : 0)}\n");
        var failures = cipher.Failures;
        sb.Append("# HELP prg_encryption_errors_total Seals and opens that failed with a 500, by cause.\n# TYPE prg_encryption_errors_total counter\n");
        sb.Append(CultureInfo.InvariantCulture, $"prg_encryption_errors_total{{cause=\"authentication\"}} {failures.Authentication}\n");
        sb.Append(CultureInfo.InvariantCulture, $"prg_encryption_errors_total{{cause=\"unknown_key\"}} {failures.UnknownKeys}\n");
        sb.Append(CultureInfo.InvariantCulture, $"prg_encryption_errors_total{{cause=\"corrupt_key_material\"}} {failures.CorruptKeyMaterial}\n");
        sb.Append(CultureInfo.InvariantCulture, $"prg_encryption_errors_total{{cause=\"other\"}} {failures.Other}\n");
        if (provider is not null)
        {
            sb.Append("# HELP prg_kms_calls_total Key provider calls by operation.\n# TYPE prg_kms_calls_total counter\n");
            foreach (var (operation, label) in s_operations)
            {
                sb.Append(CultureInfo.InvariantCulture, $"prg_kms_calls_total{{op=\"{label}\"}} {provider.Calls(operation)}\n");
            }
            sb.Append("# HELP prg_kms_call_failures_total Key provider calls that failed, by operation.\n# TYPE prg_kms_call_failures_total counter\n");
            foreach (var (operation, label) in s_operations)
            {
                sb.Append(CultureInfo.InvariantCulture, $"prg_kms_call_failures_total{{op=\"{label}\"}} {provider.Failures(operation)}\n");
            }
        }
        var external = provider?.Inner as ExternalKeyProvider ?? (provider?.Inner as FallbackKeyProvider)?.Primary;
        if (external?.ClientCertificateNotAfter is { } notAfter)
        {
            sb.Append("# HELP prg_kms_client_cert_expiry_seconds When the TLS client certificate presented to the key service expires (Unix time).\n# TYPE prg_kms_client_cert_expiry_seconds gauge\n");
            sb.Append(CultureInfo.InvariantCulture, $"prg_kms_client_cert_expiry_seconds {notAfter.ToUnixTimeSeconds()}\n");
        }
        sb.Append("# HELP prg_jobs_total Background jobs started or resumed, and finished, by this process.\n# TYPE prg_jobs_total counter\n");
        sb.Append(CultureInfo.InvariantCulture, $"prg_jobs_total{{event=\"started\"}} {jobs.Started}\n");
        sb.Append(CultureInfo.InvariantCulture, $"prg_jobs_total{{event=\"done\"}} {jobs.Succeeded}\n");
        sb.Append(CultureInfo.InvariantCulture, $"prg_jobs_total{{event=\"failed\"}} {jobs.Failed}\n");
        sb.Append(CultureInfo.InvariantCulture, $"# TYPE prg_jobs_running gauge\nprg_jobs_running {jobs.Running}\n");
        output.Write(Encoding.UTF8.GetBytes(sb.ToString()));
    }
}
