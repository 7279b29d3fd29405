// `prg serve`: load the configuration, start the API host, run until SIGTERM/SIGINT, then drain
// in-flight requests, checkpoint the store and exit 0. `--salvage` opens a store whose write-ahead log
// is damaged anyway (an operator's explicit choice), reporting what was lost.
using System.Runtime.InteropServices;
using Prg.Api;
using Prg.Api.Config;
using Prg.Crypto;
using Prg.Logging;

namespace Prg.Commands;

public static class ServeCommand
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        var parsed = Arguments.Parse("serve", args, valued: ["config", "master-key-fd"], switches: ["help", "salvage"]);
        if (parsed.Has("help"))
        {
            Console.Out.Write(HelpText.Usage);
            return ExitCodes.Ok;
        }

        Prg.Http.ProcessUmask.RestrictToOwner(); // data files 0600, directories 0700, whatever the inherited umask
        LoadedConfig loaded;
        try
        {
            loaded = ConfigLoader.LoadFromProcess(parsed.Get("config"));
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"prg: {e.Message}");
            return ExitCodes.Failure;
        }

        if (parsed.Get("master-key-fd") is { } fdText)
        {
            var kms = loaded.Config.Encryption.Kms;
            if (!int.TryParse(fdText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var fd))
            {
                throw new UsageException($"serve: --master-key-fd '{fdText}' is not a file descriptor number");
            }
            if (kms.HasMasterKey)
            {
                Console.Error.WriteLine("prg: --master-key-fd cannot be combined with encryption.kms.master_key_file, master_key_hex or master_key_credential");
                return ExitCodes.Failure;
            }
            kms.MasterKeyFd = fd;
        }

        using var log = Log.ToStandardError(loaded.Config.Logging.Level);
        foreach (var key in loaded.UnknownKeys)
        {
            log.Debug("config key not used by prg", LogField.Text("key", key));
        }
        var zeroConfig = loaded.SourcePath is null && !HasProgressDbEnvironment();

        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);

        ApiHost host;
        try
        {
            host = await ApiHost.StartAsync(loaded.Config, zeroConfig, log, parsed.Has("salvage"));
        }
        catch (Exception e) when (e is StartupException or CryptoException or TlsCredentialsException or ConfigException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"prg: cannot start: {e.Message}");
            return ExitCodes.Failure;
        }

        if (LockedMemory.LockFailures > 0)
        {
            log.Warn(LockedMemory.Describe());
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        log.Info("shutting down");
        await host.StopAsync(DrainTimeout);
        await host.DisposeAsync();
        log.Info("stopped");
        return ExitCodes.Ok;

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true; // we exit ourselves, after draining
            stop.Cancel();
        }
    }

    private static bool HasProgressDbEnvironment()
    {
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && name.StartsWith("PROGRESSDB_", StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
