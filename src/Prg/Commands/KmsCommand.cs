// `prg kms` (also the binary invoked as `prgkms`): the external key service. Settings come from
// flags, then the --config file, then defaults; runs until SIGTERM/SIGINT, then drains in-flight
// requests, checkpoints the key store and exits 0.
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Prg.Crypto;
using Prg.Kms;
using Prg.Logging;

namespace Prg.Commands;

public static class KmsCommand
{
    public const string Help = """
        Usage: prg kms --master-key-file FILE [options]      (same as: prgkms ...)

        Runs the external key service: per-thread DEKs wrapped under the master key, kept in a
        durable key store, used over HTTP/1.1 + JSON (docs/kms-protocol.md).

        Options:
          --socket PATH                   Unix socket to listen on, created mode 0600
                                          (default: <data-dir>/prgkms.sock unless --addr is given)
          --addr IP:PORT                  also/instead listen on TCP, e.g. 10.0.0.5:6820 (with mutual TLS)
          --tls-cert FILE                 mutual TLS on --addr: the service's certificate (PEM)
          --tls-key FILE                  its private key (PEM, mode 0600/0400, owned by this user)
          --tls-client-ca FILE            CA that every client certificate must chain to (required with TLS)
          --tls-allow-subject NAME        serve only client certificates with this subject, CN or DNS
                                          name; repeatable. SIGHUP reloads the three TLS files
          --insecure-tcp                  allow --addr without TLS on a non-loopback address (tests
                                          only: no authentication, no encryption)
          --allow-uid UID                 serve only these peer uids on the socket (SO_PEERCRED);
                                          repeatable; needs --socket and no --addr
          --data-dir DIR                  key store directory (default ./prgkms-data, created 0700)
          --master-key-file FILE          current master key: 64 hex chars, mode 0600 (or 0400)
          --master-key-credential NAME    ... or from the systemd credential NAME ($CREDENTIALS_DIRECTORY)
          --master-key-fd N               ... or read from inherited file descriptor N (0 = stdin), then closed
                                          (exactly one of the three is required)
          --previous-master-key-file FILE older master key kept while a KEK rotation rewraps; repeatable
          --max-body-bytes N              request body limit (default 16777216); larger gets 413
          --audit-log FILE                append one JSON line per key operation (caller, op, key id,
                                          result; never key material), mode 0600, fsynced in batches
          --audit-max-bytes N             rotate the audit log at this size (default 67108864)
          --audit-keep N                  rotated audit files kept: FILE.1 .. FILE.N (default 5)
          --config FILE                   settings under 'kms:' with the same names in snake_case:
                                            socket, addr, insecure_tcp, allow_uids: [..], data_dir,
                                            master_key_file, previous_master_key_files: [..], max_body_bytes
                                          flags override the file
          --help                          print this help

        Starting with a new --master-key-file and the old key as --previous-master-key-file rotates
        the KEK: every DEK is rewrapped in the background (GET /rotate_kek/status). POST /rotate_kek
        {"master_key_file": PATH} does the same without a restart.
        Exit codes: 0 stopped cleanly, 1 refused to start, 2 bad usage.

        """;

    private static readonly string[] s_valued =
        ["socket", "addr", "data-dir", "master-key-file", "master-key-credential", "master-key-fd", "previous-master-key-file", "allow-uid",
         "max-body-bytes", "config", "tls-cert", "tls-key", "tls-client-ca", "tls-allow-subject", "audit-log", "audit-max-bytes", "audit-keep"];

    public static async Task<int> RunAsync(string[] args)
    {
        var parsed = Arguments.Parse("kms", args, valued: s_valued, switches: ["insecure-tcp", "help"]);
        if (parsed.Has("help"))
        {
            Console.Out.Write(Help);
            return ExitCodes.Ok;
        }

        Prg.Http.ProcessUmask.RestrictToOwner();
        KmsServiceOptions options;
        try
        {
            options = BuildOptions(parsed);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"prg: kms: {e.Message}");
            return ExitCodes.Failure;
        }

        var log = Log.ToStandardError(LogLevel.Info, service: "prgkms");
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        KmsService? running = null;
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // reload, never exit
            running?.ReloadTls();
        });

        KmsService service;
        try
        {
            service = await KmsService.StartAsync(options, log);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"kms: {e.Message}");
        }
        catch (Exception e) when (e is MasterKeyException or TlsCredentialsException or KmsStartupException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Console.Error.WriteLine($"prg: kms: cannot start: {e.Message}");
            return ExitCodes.Failure;
        }

        running = service;

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        log.Info("shutting down");
        try
        {
            await service.DisposeAsync();
        }
        catch (IOException e)
        {
            log.Error("closing the key store failed; committed keys are recovered from the WAL at the next start", LogField.Text("error", e.Message));
            return ExitCodes.Failure;
        }

        log.Info("stopped");
        return ExitCodes.Ok;

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true; // we exit ourselves, after draining
            stop.Cancel();
        }
    }

    /// <summary>Merges flags over the config file over defaults.</summary>
    internal static KmsServiceOptions BuildOptions(Arguments parsed)
    {
        KmsConfigFile? file = parsed.Get("config") is { } configPath ? KmsConfigFile.Load(configPath) : null;

        string dataDir = parsed.Get("data-dir") ?? file?.DataDir ?? "prgkms-data";
        string? credential = parsed.Get("master-key-credential");
        int? fd = parsed.Get("master-key-fd") is { } fdText ? ParseCount(fdText, "--master-key-fd") : null;
        string? masterKey = parsed.Get("master-key-file") ?? (credential is null && fd is null ? file?.MasterKeyFile : null);
        if (masterKey is null && credential is null && fd is null)
        {
            throw new UsageException("kms: a master key is required: --master-key-file FILE (create one with: prg keygen --out FILE), --master-key-credential NAME or --master-key-fd N");
        }
        string? addrText = parsed.Get("addr") ?? file?.Addr;
        IPEndPoint? tcp = addrText is null ? null : ParseAddr(addrText);
        string? socket = parsed.Get("socket") ?? file?.Socket ?? (tcp is null ? Path.Combine(dataDir, "prgkms.sock") : null);

        IReadOnlyList<string> previous = parsed.GetAll("previous-master-key-file") is { Count: > 0 } flags
            ? flags
            : file?.PreviousMasterKeyFiles ?? [];

        List<uint> uids = [];
        foreach (string uid in parsed.GetAll("allow-uid"))
        {
            uids.Add(uint.TryParse(uid, NumberStyles.None, CultureInfo.InvariantCulture, out uint value)
                ? value
                : throw new UsageException($"kms: --allow-uid '{uid}' is not a numeric uid"));
        }

        if (uids.Count == 0 && file is not null)
        {
            uids.AddRange(file.AllowUids);
        }

        long maxBody = KmsServiceOptions.DefaultMaxBodyBytes;
        if (parsed.Get("max-body-bytes") is { } maxText)
        {
            maxBody = long.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
                ? value
                : throw new UsageException($"kms: --max-body-bytes '{maxText}' is not a number of bytes");
        }
        else if (file?.MaxBodyBytes is { } fromFile)
        {
            maxBody = fromFile;
        }

        return new KmsServiceOptions
        {
            SocketPath = socket,
            TcpEndPoint = tcp,
            InsecureTcp = parsed.Has("insecure-tcp") || file?.InsecureTcp == true,
            DataDirectory = dataDir,
            MasterKeyFile = masterKey,
            MasterKeyCredential = credential,
            MasterKeyFd = fd,
            TlsCertFile = parsed.Get("tls-cert"),
            TlsKeyFile = parsed.Get("tls-key"),
            TlsClientCaFile = parsed.Get("tls-client-ca"),
            TlsAllowedSubjects = parsed.GetAll("tls-allow-subject"),
            AuditLogPath = parsed.Get("audit-log"),
            AuditLogMaxBytes = parsed.Get("audit-max-bytes") is { } auditMax ? ParseCount(auditMax, "--audit-max-bytes") : AuditLog.DefaultMaxBytes,
            AuditLogKeep = parsed.Get("audit-keep") is { } keep ? ParseCount(keep, "--audit-keep") : AuditLog.DefaultKeep,
            PreviousMasterKeyFiles = previous,
            AllowedUids = uids,
            MaxBodyBytes = maxBody,
        };
    }

    private static int ParseCount(string text, string flag) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new UsageException($"kms: {flag} '{text}' is not a non-negative number");

    private static IPEndPoint ParseAddr(string text)
    {
        if (text.StartsWith("localhost:", StringComparison.Ordinal))
        {
            text = "127.0.0.1" + text["localhost".Length..];
        }

        if (!IPEndPoint.TryParse(text, out IPEndPoint? endPoint) || endPoint.Port == 0 && !text.EndsWith(":0", StringComparison.Ordinal))
        {
            throw new UsageException($"kms: --addr '{text}' must be IP:PORT, e.g. 127.0.0.1:6820");
        }

        return endPoint;
    }
}
