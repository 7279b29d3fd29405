// KEK and DEK rotation jobs in-process over a real ChatStore: everything ends under the new key and
// still reads; a KEK rotation persisted but not run resumes after a restart with the new key current;
// the store refuses to start under a key it never knew.
using Prg.Api.Config;
using Prg.Api.Encryption;
using Prg.Api.Jobs;
using Prg.Crypto;
using Prg.Logging;
using Prg.Storage.Chat;

namespace Prg.Api.Tests.Encryption;

public sealed class RotationJobTests
{
    private static Func<MasterKeySetup> KeyFile(string path, params string[] previous) =>
        () => MasterKeySetup.Load(new KmsConfig { MasterKeyFile = path, PreviousMasterKeyFiles = [.. previous] });

    private static string NewKeyFile(TempDirectory dir, string name)
    {
        string path = dir.Combine(name);
        Prg.Crypto.KeyFile.WriteNew(path);
        return path;
    }

    private static string KekIdOf(string path)
    {
        using var key = MasterKey.FromFile(path);
        return key.KekId;
    }

    private static async Task<Dictionary<(string Thread, string Key, int Version), string>> WriteThreadsAsync(EncryptedStore s, int threads, int messagesPerThread)
    {
        var written = new Dictionary<(string, string, int), string>();
        for (int t = 0; t < threads; t++)
        {
            string thread = await s.CreateThreadAsync("alice", $"title {t}");
            for (int m = 0; m < messagesPerThread; m++)
            {
                string key = await s.PostAsync(thread, "alice", $"{{\"t\":{t},\"m\":{m}}}");
                written[(thread, key, 1)] = $"{{\"t\":{t},\"m\":{m}}}";
            }
        }
        return written;
    }

    private static async Task AssertAllReadAsync(EncryptedStore s, Dictionary<(string Thread, string Key, int Version), string> written)
    {
        foreach (var ((thread, key, version), text) in written)
        {
            var stored = s.Store.ListVersions(thread, key).Single(v => v.Version == version);
            Assert.Equal(text, await s.ReadAsync(thread, stored));
        }
    }

    [Fact]
    public async Task DekRotationReencryptsEveryMessageAndVersionUnderTheNewDekVersion()
    {
        using var dir = new TempDirectory();
        string keyPath = NewKeyFile(dir, "k1");
        await using var s = EncryptedStore.Open(dir.Combine("store"), KeyFile(keyPath));
        string thread = await s.CreateThreadAsync("alice", "rotating");
        var written = new Dictionary<(string Thread, string Key, int Version), string>();
        for (int i = 0; i < 120; i++)
        {
            string key = await s.PostAsync(thread, "alice", $"{{\"n\":{i}}}");
            written[(thread, key, 1)] = $"{{\"n\":{i}}}";
            if (i % 7 == 0)
            {
                await s.EditAsync(thread, key, $"{{\"n\":{i},\"edited\":true}}");
                written[(thread, key, 2)] = $"{{\"n\":{i},\"edited\":true}}";
            }
        }

        var (job, version) = await s.DekRotation.StartAsync(s.Store.GetThread(thread)!, default);
        Assert.Equal(2u, version);
        await s.Jobs.WhenFinished(job.Id).WaitAsync(TimeSpan.FromSeconds(60));

        var record = s.Jobs.Get(job.Id)!;
        Assert.Equal(JobStates.Done, record.State);
        Assert.Equal(120, record.Done);
        Assert.Equal(0, record.Errors);
        foreach (var (_, key, v) in written.Keys)
        {
            var stored = s.Store.ListVersions(thread, key).Single(x => x.Version == v);
            Assert.Equal(2u, DataFrame.ReadDekVersion(stored.Body));
        }
        await AssertAllReadAsync(s, written);
        var rotatedThread = s.Store.GetThread(thread)!;
        Assert.Equal(2u, DataFrame.ReadDekVersion(rotatedThread.Title));
        var title = await s.Cipher.OpenAsync(rotatedThread.AppData, RecordAad.ForTitle(thread), rotatedThread.Title, default);
        Assert.Equal("rotating", System.Text.Encoding.UTF8.GetString(title));
        Assert.Equal(job.Id, s.DekRotation.LatestJobId(thread));
        Assert.Equal(2u, ThreadKeyMaterial.Parse(rotatedThread.AppData).CurrentDekVersion);
        Assert.Equal(0, s.Cipher.AuthenticationFailures);
    }

    [Fact]
    public async Task DekRotationLeavesABodyItCannotOpenAsItIsCountsItAndReSealsTheRest()
    {
        using var dir = new TempDirectory();
        string keyPath = NewKeyFile(dir, "master.key");
        await using var s = EncryptedStore.Open(dir.Combine("store"), KeyFile(keyPath));
        string thread = await s.CreateThreadAsync("alice", "rotating");
        string good = await s.PostAsync(thread, "alice", "{\"n\":1}");
        string bad = await s.PostAsync(thread, "alice", "{\"n\":2}");
        byte[] sealedBody = s.Store.GetMessage(thread, bad)!.Body;
        byte[] damaged = [.. sealedBody];
        damaged[^1] ^= 0x01; // the tag no longer authenticates
        Assert.True(await s.Store.ReplaceBodyAsync(thread, bad, 1, sealedBody, damaged));

        var (job, _) = await s.DekRotation.StartAsync(s.Store.GetThread(thread)!, default);
        await s.Jobs.WhenFinished(job.Id).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, s.Jobs.Get(job.Id)!.Errors);
        Assert.Equal(damaged, s.Store.GetMessage(thread, bad)!.Body);
        Assert.Equal(2u, DataFrame.ReadDekVersion(s.Store.GetMessage(thread, good)!.Body));
        Assert.Contains("DEK rotation cannot read a stored body", s.LogText.ToString());
        Assert.Contains(bad, s.LogText.ToString());
    }

    [Fact]
    public async Task ASecondDekRotationOfAThreadWhileOneRunsIsAConflict()
    {
        using var dir = new TempDirectory();
        string keyPath = NewKeyFile(dir, "k1");
        await using var s = EncryptedStore.Open(dir.Combine("store"), KeyFile(keyPath));
        string thread = await s.CreateThreadAsync("alice", "t");
        for (int i = 0; i < 300; i++)
        {
            await s.PostAsync(thread, "alice", "{}");
        }
        var (first, _) = await s.DekRotation.StartAsync(s.Store.GetThread(thread)!, default);
        if (s.Jobs.ActiveJobFor(DekRotationJob.KindName + ":" + thread) is not null)
        {
            var e = await Assert.ThrowsAsync<JobConflictException>(() => s.DekRotation.StartAsync(s.Store.GetThread(thread)!, default).AsTask());
            Assert.Equal(first.Id, e.RunningJobId);
        }
        await s.Jobs.WhenFinished(first.Id).WaitAsync(TimeSpan.FromSeconds(60));
        var (second, version) = await s.DekRotation.StartAsync(s.Store.GetThread(thread)!, default);
        Assert.Equal(3u, version);
        await s.Jobs.WhenFinished(second.Id).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(JobStates.Done, s.Jobs.Get(second.Id)!.State);
    }

    [Fact]
    public async Task KekRotationRewrapsEveryThreadKeyAndTheOldKeyIsNoLongerNeeded()
    {
        using var dir = new TempDirectory();
        string oldPath = NewKeyFile(dir, "k1");
        string newPath = NewKeyFile(dir, "k2");
        string newKekId = KekIdOf(newPath);
        string storeDir = dir.Combine("store");
        Dictionary<(string Thread, string Key, int Version), string> written;
        await using (var s = EncryptedStore.Open(storeDir, KeyFile(oldPath)))
        {
            written = await WriteThreadsAsync(s, 230, 1);
            var job = await s.KekRotation.StartAsync(MasterKey.FromFile(newPath), newPath);
            // New threads right after the switch are wrapped under the new key already.
            var during = await WriteThreadsAsync(s, 3, 2);
            foreach (var item in during)
            {
                written[item.Key] = item.Value;
            }
            await s.Jobs.WhenFinished(job.Id).WaitAsync(TimeSpan.FromSeconds(60));
            var record = s.Jobs.Get(job.Id)!;
            Assert.True(record.State == JobStates.Done, record.Message);
            Assert.Equal(0, record.Errors);
            // The 3 threads written during the job are counted only if the job's scan reaches them
            // after they exist (they are wrapped under the new key either way, checked below).
            Assert.InRange(record.Done, 230, 233);
            Assert.Empty(s.Embedded.KeyRing.PreviousKekIds);
            Assert.Equal(2u, s.Embedded.KeyRing.CurrentKekVersion);
            var kek = s.KekState.Get()!;
            Assert.True(kek.Complete);
            Assert.Equal(newKekId, kek.KekId);
            Assert.Equal(2u, kek.KekVersion);
            Assert.Equal(Path.GetFullPath(newPath), kek.KeyFile);
            foreach (var thread in written.Keys.Select(k => k.Thread).Distinct())
            {
                var material = ThreadKeyMaterial.Parse(s.Store.GetThread(thread)!.AppData);
                Assert.All(material.Versions, v => Assert.Equal((newKekId, 2u), (v.KekId, v.KekVersion)));
            }
            await AssertAllReadAsync(s, written);
        }

        // Restart with only the new key configured: everything reads.
        await using (var s = EncryptedStore.Open(storeDir, KeyFile(newPath)))
        {
            Assert.Equal((newKekId, 2u), (s.Embedded.KeyRing.CurrentKekId, s.Embedded.KeyRing.CurrentKekVersion));
            await AssertAllReadAsync(s, written);
            foreach (var thread in written.Keys.Select(k => k.Thread).Distinct())
            {
                Assert.StartsWith("title ", await s.ReadTitleAsync(thread));
            }
        }
    }

    [Fact]
    public async Task AfterARotationTheRecordedKeyWinsOverAnOutdatedConfiguration()
    {
        using var dir = new TempDirectory();
        string oldPath = NewKeyFile(dir, "k1");
        string newPath = NewKeyFile(dir, "k2");
        string storeDir = dir.Combine("store");
        Dictionary<(string Thread, string Key, int Version), string> written;
        await using (var s = EncryptedStore.Open(storeDir, KeyFile(oldPath)))
        {
            written = await WriteThreadsAsync(s, 5, 2);
            var job = await s.KekRotation.StartAsync(MasterKey.FromFile(newPath), newPath);
            await s.Jobs.WhenFinished(job.Id).WaitAsync(TimeSpan.FromSeconds(60));
        }
        await using (var s = EncryptedStore.Open(storeDir, KeyFile(oldPath)))
        {
            Assert.Equal(KekIdOf(newPath), s.Embedded.KeyRing.CurrentKekId);
            Assert.Equal(2u, s.Embedded.KeyRing.CurrentKekVersion);
            Assert.Equal([KekIdOf(oldPath)], s.Embedded.KeyRing.PreviousKekIds);
            Assert.Contains("using the master key recorded by a KEK rotation", s.LogText.ToString());
            await AssertAllReadAsync(s, written);
            string fresh = await s.CreateThreadAsync("bob", "after restart");
            Assert.Equal(KekIdOf(newPath), ThreadKeyMaterial.Parse(s.Store.GetThread(fresh)!.AppData).Current.KekId);
        }
    }

    [Fact]
    public async Task AnUnfinishedKekRotationResumesAtStartWithTheNewKeyCurrent()
    {
        using var dir = new TempDirectory();
        string oldPath = NewKeyFile(dir, "k1");
        string newPath = NewKeyFile(dir, "k2");
        string storeDir = dir.Combine("store");
        Dictionary<(string Thread, string Key, int Version), string> written;
        string jobId;
        await using (var s = EncryptedStore.Open(storeDir, KeyFile(oldPath)))
        {
            written = await WriteThreadsAsync(s, 40, 1);
            // As StartAsync leaves it if the process dies right after persisting the job.
            var job = await s.Jobs.CreateAsync(KekRotationJob.KindName, new Dictionary<string, string>
            {
                ["key_file"] = newPath,
                ["new_kek_id"] = KekIdOf(newPath),
                ["new_kek_version"] = "2",
                ["old_kek_id"] = KekIdOf(oldPath),
            }, 40);
            jobId = job.Id;
        }
        await using (var s = EncryptedStore.Open(storeDir, KeyFile(oldPath)))
        {
            Assert.Equal(KekIdOf(newPath), s.Embedded.KeyRing.CurrentKekId);
            Assert.Contains(KekIdOf(oldPath), s.Embedded.KeyRing.PreviousKekIds);
            Assert.Equal(1, await s.Jobs.ResumeUnfinishedAsync());
            await s.Jobs.WhenFinished(jobId).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(JobStates.Done, s.Jobs.Get(jobId)!.State);
            Assert.Equal(40, s.Jobs.Get(jobId)!.Done);
        }
        await using (var s = EncryptedStore.Open(storeDir, KeyFile(newPath)))
        {
            await AssertAllReadAsync(s, written);
        }
    }

    [Fact]
    public async Task RotatingToTheCurrentOrAPreviousKeyIsRefused()
    {
        using var dir = new TempDirectory();
        string oldPath = NewKeyFile(dir, "k1");
        string prevPath = NewKeyFile(dir, "k0");
        await using var s = EncryptedStore.Open(dir.Combine("store"), KeyFile(oldPath, prevPath));
        var same = await Assert.ThrowsAsync<ArgumentException>(() => s.KekRotation.StartAsync(MasterKey.FromFile(oldPath), oldPath).AsTask());
        Assert.Contains("already the current master key", same.Message);
        var previous = await Assert.ThrowsAsync<ArgumentException>(() => s.KekRotation.StartAsync(MasterKey.FromFile(prevPath), prevPath).AsTask());
        Assert.Contains("previous master key", previous.Message);
        Assert.Empty(s.Jobs.Store.ActiveIds());
    }

    [Fact]
    public async Task StartingUnderAKeyTheStoreNeverUsedIsRefused()
    {
        using var dir = new TempDirectory();
        string oldPath = NewKeyFile(dir, "k1");
        string newPath = NewKeyFile(dir, "k2");
        string strangerPath = NewKeyFile(dir, "k3");
        string storeDir = dir.Combine("store");
        await using (var s = EncryptedStore.Open(storeDir, KeyFile(oldPath)))
        {
            await WriteThreadsAsync(s, 2, 1);
            var job = await s.KekRotation.StartAsync(MasterKey.FromFile(newPath), newPath);
            await s.Jobs.WhenFinished(job.Id).WaitAsync(TimeSpan.FromSeconds(60));
        }
        string newKekId = KekIdOf(newPath);
        File.Delete(newPath);
        await using var store = EncryptedStore.OpenStore(storeDir);
        using var setup = KeyFile(strangerPath)();
        var e = Assert.Throws<StartupException>(() => setup.CreateKeyRing(new KekStateStore(store), new JobStore(store), new Log(new StringWriter(), LogLevel.Info)));
        Assert.StartsWith($"the store's current master key is kek_id {newKekId}", e.Message);
        Assert.Contains("does not exist", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
