// Where unwrapped DEKs live while cached: whole pages of native memory, locked into RAM (never
// swapped to disk) and excluded from core dumps, handed out in 32-byte slots (raw keys) and 512-byte
// slots (key schedules derived from them, which are as secret) and zeroed on release.
// If the memory-lock limit (RLIMIT_MEMLOCK) forbids locking, keys still work and Status says why,
// so the host can print it at start-up instead of failing.
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Prg.Crypto;

/// <summary>Locked, non-dumpable native memory for 32-byte keys and their key schedules.</summary>
public sealed unsafe class KeyMemory
{
    /// <summary>Bytes per slot: one AES-256 key.</summary>
    public const int SlotLength = MasterKey.KeyLength;

    /// <summary>Bytes per schedule slot (AES round keys and GHASH key powers), 16-byte aligned.</summary>
    public const int ScheduleSlotLength = 512;

    // The process-wide arena; its pages are reused, never returned (bounded by the peak DEK count).
    private static readonly Lazy<KeyMemory> s_shared = new(() => new KeyMemory());

    private readonly Func<nint, nuint, int> _lockPages;
    private readonly nuint _pageLength = (nuint)Environment.SystemPageSize;
    private readonly Stack<nint> _free = new();
    private readonly Stack<nint> _freeSchedules = new();
    private readonly Lock _lock = new();
    private long _pages;
    private string? _lockFailure;

    /// <summary>An arena whose pages are locked and excluded from core dumps (the shared one; tests make their own).</summary>
    internal KeyMemory()
        : this(LockPages)
    {
    }

    /// <param name="lockPages">Locks and madvises one page; returns 0 or an errno (tests inject failures).</param>
    internal KeyMemory(Func<nint, nuint, int> lockPages)
    {
        _lockPages = lockPages;
        lock (_lock)
        {
            AddPageLocked(_free, SlotLength); // so Status is known before the first key arrives
        }
    }

    /// <summary>The arena every cached DEK uses.</summary>
    public static KeyMemory Shared => s_shared.Value;

    /// <summary>True while every page is locked into RAM and excluded from core dumps.</summary>
    public bool IsLocked
    {
        get
        {
            lock (_lock)
            {
                return _lockFailure is null;
            }
        }
    }

    /// <summary>One line for the start-up log: locked, or why not and what to change.</summary>
    public string Status
    {
        get
        {
            lock (_lock)
            {
                return _lockFailure is null
                    ? $"key memory locked in RAM and excluded from core dumps ({_pages} page(s))"
                    : $"key memory could not be locked in RAM ({_lockFailure}); keys may be swapped to disk. Raise the memory-lock limit (ulimit -l, systemd LimitMEMLOCK=)";
            }
        }
    }

    /// <summary>Pages allocated so far (tests, metrics).</summary>
    internal long Pages => Interlocked.Read(ref _pages);

    /// <summary>Copies <paramref name="key"/> into a fresh slot; give it back with <see cref="Release"/>.</summary>
    public byte* Store(ReadOnlySpan<byte> key)
    {
        if (key.Length != SlotLength)
        {
            throw new ArgumentException($"a key slot holds {SlotLength} bytes; got {key.Length}", nameof(key));
        }

        nint slot;
        lock (_lock)
        {
            if (_free.Count == 0)
            {
                AddPageLocked(_free, SlotLength);
            }

            slot = _free.Pop();
        }

        key.CopyTo(new Span<byte>((void*)slot, SlotLength));
        return (byte*)slot;
    }

    /// <summary>Zeroes a slot from <see cref="Store"/> and makes it free.</summary>
    public void Release(byte* slot)
    {
        CryptographicOperations.ZeroMemory(new Span<byte>(slot, SlotLength));
        lock (_lock)
        {
            _free.Push((nint)slot);
        }
    }

    /// <summary>A zeroed schedule slot; give it back with <see cref="ReleaseSchedule"/>.</summary>
    public byte* AllocateSchedule()
    {
        lock (_lock)
        {
            if (_freeSchedules.Count == 0)
            {
                AddPageLocked(_freeSchedules, ScheduleSlotLength);
            }

            return (byte*)_freeSchedules.Pop();
        }
    }

    /// <summary>Zeroes a slot from <see cref="AllocateSchedule"/> and makes it free.</summary>
    public void ReleaseSchedule(byte* slot)
    {
        CryptographicOperations.ZeroMemory(new Span<byte>(slot, ScheduleSlotLength));
        lock (_lock)
        {
            _freeSchedules.Push((nint)slot);
        }
    }

    private void AddPageLocked(Stack<nint> free, int slotLength)
    {
        void* page = NativeMemory.AlignedAlloc(_pageLength, _pageLength);
        NativeMemory.Clear(page, _pageLength);
        int error = _lockPages((nint)page, _pageLength);
        if (error != 0 && _lockFailure is null)
        {
            _lockFailure = error switch
            {
                1 => "mlock: EPERM, not permitted",
                11 or 12 => $"mlock: {(error == 11 ? "EAGAIN" : "ENOMEM")}, over the memory-lock limit",
                _ => $"mlock/madvise failed with errno {error}",
            };
        }

        // Slots are handed out from the start of the page first.
        for (nuint offset = _pageLength - (nuint)slotLength; ; offset -= (nuint)slotLength)
        {
            free.Push((nint)((byte*)page + offset));
            if (offset == 0)
            {
                break;
            }
        }

        Interlocked.Increment(ref _pages);
    }

    private static int LockPages(nint page, nuint length)
    {
        // Excluding from dumps does not depend on the lock limit, so it is done either way.
        int dumpError = LibC.madvise((void*)page, length, LibC.MadvDontDump) == 0 ? 0 : Marshal.GetLastPInvokeError();
        int lockError = LibC.mlock((void*)page, length) == 0 ? 0 : Marshal.GetLastPInvokeError();
        return lockError != 0 ? lockError : dumpError;
    }
}
