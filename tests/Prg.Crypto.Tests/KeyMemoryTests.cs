// Key memory: pages holding unwrapped DEKs are locked into RAM and excluded from core dumps (seen
// by the kernel in /proc/self/smaps), slots are zeroed on release, and a refused lock is reported
// in Status without failing.
using System.Globalization;

namespace Prg.Crypto.Tests;

public sealed unsafe class KeyMemoryTests
{
    [Fact]
    public void PagesAreLockedAndExcludedFromCoreDumpsWhenTheLimitAllows()
    {
        var memory = new KeyMemory();
        byte* slot = memory.Store(TestSupport.SequentialKey());
        try
        {
            string flags = SmapsFlagsOf((nint)slot);
            Assert.Contains("dd", flags.Split(' ')); // MADV_DONTDUMP, whatever the lock limit
            if (memory.IsLocked)
            {
                Assert.Contains("lo", flags.Split(' '));
                Assert.Contains("locked in RAM", memory.Status);
            }
            else
            {
                // Only when RLIMIT_MEMLOCK forbids it (not as root): reported, not fatal.
                Assert.Contains("could not be locked", memory.Status);
            }
        }
        finally
        {
            memory.Release(slot);
        }
    }

    [Fact]
    public void ARefusedLockIsReportedAndKeysStillWork()
    {
        var memory = new KeyMemory(static (_, _) => 1); // EPERM
        byte* slot = memory.Store(TestSupport.SequentialKey(7));

        Assert.False(memory.IsLocked);
        Assert.Contains("EPERM", memory.Status);
        Assert.Contains("ulimit -l", memory.Status);
        Assert.Equal(TestSupport.SequentialKey(7), new ReadOnlySpan<byte>(slot, 32).ToArray());
        memory.Release(slot);
        Assert.All(new ReadOnlySpan<byte>(slot, 32).ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void SlotsAreReusedAndPagesAddedOnlyWhenFull()
    {
        var memory = new KeyMemory(static (_, _) => 0);
        int perPage = Environment.SystemPageSize / KeyMemory.SlotLength;
        var slots = new List<nint>();
        for (int i = 0; i < perPage; i++)
        {
            slots.Add((nint)memory.Store(TestSupport.SequentialKey((byte)i)));
        }

        Assert.Equal(1, memory.Pages);
        Assert.Equal(perPage, slots.Distinct().Count());
        slots.Add((nint)memory.Store(TestSupport.SequentialKey()));
        Assert.Equal(2, memory.Pages);

        memory.Release((byte*)slots[3]);
        Assert.Equal(slots[3], (nint)memory.Store(TestSupport.SequentialKey()));
        Assert.Equal(2, memory.Pages);
    }

    [Fact]
    public void TheStatusLineNamesTheOutcome()
    {
        Assert.Matches("^key memory (locked in RAM|could not be locked)", KeyMemory.Shared.Status);
    }

    // The VmFlags of the mapping that contains the address ("lo" locked, "dd" not dumped).
    private static string SmapsFlagsOf(nint address)
    {
        bool inside = false;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-');
            int space = line.IndexOf(' ');
            if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong start)
                && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong end))
            {
                inside = (ulong)address >= start && (ulong)address < end;
            }
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                return line["VmFlags:".Length..].Trim();
            }
        }

        throw new InvalidOperationException($"no mapping in /proc/self/smaps holds 0x{address:x}");
    }
}
