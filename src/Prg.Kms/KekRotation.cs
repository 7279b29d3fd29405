// KEK rotation inside the key service (spec/kms.md §6): install the new master key as current, record
// that a rotation is pending (durably, so it resumes after a crash), then rewrap every DEK in the
// store under the new KEK. Each rewrap is verified by unwrapping it again before it is saved
// (KeyRing.Rewrap); keys created meanwhile are already wrapped under the new KEK. When every key is
// done the pending mark is cleared and the old KEKs are zeroed and dropped.
using Prg.Crypto;
using Prg.Logging;

namespace Prg.Kms;

/// <summary>Runs and reports the KEK rotation sweep.</summary>
public sealed class KekRotation
{
    private readonly EmbeddedKeyProvider _provider;
    private readonly KmsKeyStore _store;
    private readonly Log _log;
    private readonly CancellationToken _stopping;
    private readonly Lock _lock = new();
    private Task _sweep = Task.CompletedTask;
    private KekRotationState _state = KekRotationState.Idle;
    private long _total;
    private long _done;
    private long _failed;
    private string? _lastError;

    internal KekRotation(EmbeddedKeyProvider provider, KmsKeyStore store, Log log, CancellationToken stopping)
    {
        _provider = provider;
        _store = store;
        _log = log;
        _stopping = stopping;
    }

    /// <summary>The running (or last) sweep; completes when it ends.</summary>
    public Task Sweep
    {
        get
        {
            lock (_lock)
            {
                return _sweep;
            }
        }
    }

    public KekRotationStatus Status
    {
        get
        {
            lock (_lock)
            {
                KeyRing ring = _provider.KeyRing;
                return new KekRotationStatus(
                    _state, ring.CurrentKekId, ring.CurrentKekVersion, Interlocked.Read(ref _total), Interlocked.Read(ref _done),
                    Interlocked.Read(ref _failed), ring.PreviousKekIds, _lastError);
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="newKey"/> the current KEK and starts rewrapping every DEK. Takes ownership
    /// of the key (disposed if refused).
    /// </summary>
    /// <exception cref="KmsRequestException">409: a sweep is running, or the key is already in use.</exception>
    internal async Task<KekRotationStatus> StartAsync(MasterKey newKey)
    {
        bool owned = true;
        try
        {
            lock (_lock)
            {
                if (_state == KekRotationState.Running)
                {
                    throw KmsRequestException.Conflict("a KEK rotation is already running; watch GET /rotate_kek/status");
                }

                if (_provider.KeyRing.Contains(newKey.KekId))
                {
                    throw KmsRequestException.Conflict($"master key {newKey.KekId} is already current or previous; give a new key");
                }

                // Claim the rotation before the await below so a concurrent request gets 409.
                _state = KekRotationState.Running;
            }

            try
            {
                // Durable first: if the process dies after the ring switches, the next start knows a
                // sweep is pending (and which KEK is current) and resumes it.
                uint next = checked(_provider.KeyRing.CurrentKekVersion + 1);
                await _store.WriteKekStateAsync(new KekState(newKey.KekId, next, Rotating: true), _stopping).ConfigureAwait(false);
                uint installed = _provider.RotateKek(newKey);
                owned = false;
                _log.Info("KEK rotation started", LogField.Text("kek_id", newKey.KekId), LogField.Text("kek_version", installed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            catch
            {
                lock (_lock)
                {
                    _state = KekRotationState.Failed;
                }

                throw;
            }

            StartSweep();
            return Status;
        }
        finally
        {
            if (owned)
            {
                newKey.Dispose();
            }
        }
    }

    /// <summary>Resumes a rotation recorded as pending (start-up).</summary>
    internal void Resume()
    {
        lock (_lock)
        {
            _state = KekRotationState.Running;
        }

        _log.Info("resuming a pending KEK rotation", LogField.Text("kek_id", _provider.KeyRing.CurrentKekId));
        StartSweep();
    }

    private void StartSweep()
    {
        lock (_lock)
        {
            Interlocked.Exchange(ref _total, _store.Count);
            Interlocked.Exchange(ref _done, 0);
            Interlocked.Exchange(ref _failed, 0);
            _lastError = null;
            _sweep = Task.Run(SweepAsync);
        }
    }

    private async Task SweepAsync()
    {
        // The count is re-read as the sweep goes: a key created while it runs is visited too (a no-op
        // when it was wrapped under the new KEK, which is every key created after the switch).
        long total = 0;
        for (long i = 0; i < _store.Count && !_stopping.IsCancellationRequested; i++)
        {
            total = i + 1;
            Interlocked.Exchange(ref _total, Math.Max(_store.Count, total));
            string? keyId = _store.GetKeyIdAt(i);
            try
            {
                if (keyId is null)
                {
                    throw new InvalidDataException($"the key index has no entry {i}");
                }

                await _provider.RewrapDekAsync(keyId, _stopping).ConfigureAwait(false);
                Interlocked.Increment(ref _done);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _failed);
                lock (_lock)
                {
                    _lastError = keyId is null ? e.Message : $"{keyId}: {e.Message}";
                }

                _log.Error("KEK rotation could not rewrap a key", LogField.Text("key_id", keyId ?? $"#{i}"), LogField.Text("error", e.Message));
            }
        }

        if (_stopping.IsCancellationRequested)
        {
            _log.Info("KEK rotation interrupted by shutdown; it resumes at the next start");
            return;
        }

        if (Interlocked.Read(ref _failed) > 0)
        {
            lock (_lock)
            {
                _state = KekRotationState.Failed;
            }

            _log.Error("KEK rotation finished with failures; previous KEKs are kept", LogField.Text("failed", Interlocked.Read(ref _failed).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return;
        }

        try
        {
            KeyRing ring = _provider.KeyRing;
            await _store.WriteKekStateAsync(new KekState(ring.CurrentKekId, ring.CurrentKekVersion, Rotating: false), _stopping).ConfigureAwait(false);
            foreach (string previous in ring.PreviousKekIds)
            {
                _provider.RemovePreviousKek(previous);
            }

            lock (_lock)
            {
                _state = KekRotationState.Completed;
            }

            _log.Info("KEK rotation completed", LogField.Text("kek_id", ring.CurrentKekId), LogField.Text("keys", total.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            lock (_lock)
            {
                _state = KekRotationState.Failed;
                _lastError = e.Message;
            }

            _log.Error("KEK rotation could not record its completion", LogField.Text("error", e.Message));
        }
    }
}
