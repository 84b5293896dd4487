using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Berth.Server.Configuration;
using Berth.Server.Content.S3;

namespace Berth.Tests.Support;

/// <summary>
/// A throwaway Ceph cluster with its S3 gateway (Debian's <c>ceph-mon</c>, <c>ceph-osd</c>, <c>radosgw</c>) for the
/// whole test run: one monitor, one OSD keeping its objects in memory and radosgw on a loopback port, everything
/// (configuration, monitor store, logs, sockets) under a temporary folder, stopped and removed when the run ends
/// (<see cref="Tests.TestRunEnd"/>). Each test or fixture gets a bucket of its own (<see cref="CreateBucketAsync"/>).
/// Missing Ceph makes a test inconclusive with the command that installs it, except under CI (<c>CI=true</c>), where
/// it is a failure.
/// </summary>
public sealed class RadosGateway
{
    public const string InstallCommand = "sudo apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common";

    private static readonly string[] Tools = ["ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "ceph", "monmaptool"];

    // Start-up takes a few seconds; the bound only keeps a broken cluster from hanging the run.
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(90);

    private static readonly Lock Gate = new();
    private static Task<RadosGateway>? _shared;
    private static int _buckets;

    private readonly string _folder;
    private readonly string _binaries;
    private readonly List<Process> _daemons = [];
    private readonly ConcurrentQueue<string> _daemonOutput = new();

    private RadosGateway(string folder, string binaries, int port) =>
        (_folder, _binaries, ServiceUrl) = (folder, binaries, $"http://127.0.0.1:{port}");

    public string ServiceUrl { get; }

    public string AccessKey { get; } = "BERTHTESTACCESSKEY00";

    public string SecretKey { get; } = "berth-test-secret-key";

    private string Conf => Path.Combine(_folder, "ceph.conf");

    /// <summary>The run's gateway, started by the first test that asks; the test is ignored (or failed under CI) without Ceph.</summary>
    public static Task<RadosGateway> SharedAsync()
    {
        var binaries = FindBinaries();
        if (binaries is null)
        {
            RequiredEngine.Missing("Ceph's radosgw", "S3", InstallCommand);
        }

        lock (Gate)
        {
            return _shared ??= StartAsync(binaries!);
        }
    }

    /// <summary>A client for the gateway, signed with the test user's keys, configured as the server configures its own.</summary>
    public IAmazonS3 NewClient() => S3ContentServices.NewClient(new S3ContentOptions
    {
        ServiceUrl = ServiceUrl,
        ForcePathStyle = true,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
    });

    /// <summary>An object's bytes, or null when there is none under the key.</summary>
    public async Task<byte[]?> ReadObjectAsync(string bucket, string key)
    {
        using var client = NewClient();
        try
        {
            using var response = await client.GetObjectAsync(bucket, key);
            using var bytes = new MemoryStream();
            await response.ResponseStream.CopyToAsync(bytes);
            return bytes.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task WriteObjectAsync(string bucket, string key, byte[] bytes)
    {
        using var client = NewClient();
        using var stream = new MemoryStream(bytes);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = stream });
    }

    /// <summary>The keys under a prefix, in key order.</summary>
    public async Task<IReadOnlyList<string>> ListKeysAsync(string bucket, string prefix)
    {
        using var client = NewClient();
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        ListObjectsV2Response page;
        do
        {
            page = await client.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
        return keys;
    }

    public async Task DeleteObjectAsync(string bucket, string key)
    {
        using var client = NewClient();
        await client.DeleteObjectAsync(bucket, key);
    }

    /// <summary>Empties a bucket made by <see cref="CreateBucketAsync"/> (objects and uploads in progress) and deletes it: memory is what the gateway stores in.</summary>
    public async Task DeleteBucketAsync(string bucket)
    {
        using var client = NewClient();
        var listing = new ListObjectsV2Request { BucketName = bucket };
        ListObjectsV2Response page;
        do
        {
            page = await client.ListObjectsV2Async(listing);
            foreach (var item in page.S3Objects ?? [])
            {
                await client.DeleteObjectAsync(bucket, item.Key);
            }

            listing.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        foreach (var upload in (await client.ListMultipartUploadsAsync(bucket)).MultipartUploads ?? [])
        {
            await client.AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId);
        }

        await client.DeleteBucketAsync(bucket);
    }

    /// <summary>A new, empty bucket; returns its name.</summary>
    public async Task<string> CreateBucketAsync()
    {
        var name = $"berth-test-{Environment.ProcessId}-{Interlocked.Increment(ref _buckets)}";
        using var client = NewClient();
        await client.PutBucketAsync(name);
        return name;
    }

    private static async Task<RadosGateway> StartAsync(string binaries)
    {
        var folder = Directory.CreateTempSubdirectory("berth-ceph-").FullName;
        var ports = LoopbackPorts.Take(3);
        var gateway = new RadosGateway(folder, binaries, ports[2]);
        try
        {
            await gateway.StartDaemonsAsync(monitorV2Port: ports[0], monitorV1Port: ports[1], gatewayPort: ports[2]);
        }
        catch (Exception e)
        {
            var logs = gateway.LogTails();
            gateway.Stop();
            throw new InvalidOperationException($"The Ceph test cluster did not start: {e.Message}\n{logs}", e);
        }

        Tests.TestRunEnd.Register(gateway.Stop);
        return gateway;
    }

    private async Task StartDaemonsAsync(int monitorV2Port, int monitorV1Port, int gatewayPort)
    {
        var fsid = Guid.NewGuid().ToString();
        var monitorAddresses = $"[v2:127.0.0.1:{monitorV2Port},v1:127.0.0.1:{monitorV1Port}]";
        foreach (var sub in new[] { "run", "log", "crash", "mon", "osd", "rgw" })
        {
            Directory.CreateDirectory(Path.Combine(_folder, sub));
        }

        await File.WriteAllTextAsync(Conf, Configuration(fsid, monitorAddresses, gatewayPort));

        var monmap = Path.Combine(_folder, "monmap");
        await RunAsync("monmaptool", ["--create", "--fsid", fsid, "--addv", "a", monitorAddresses, monmap]);
        await RunAsync("ceph-mon", ["--mkfs", "-i", "a", "--monmap", monmap]);
        StartDaemon("ceph-mon", ["-i", "a"]);

        // The OSD needs an id in the monitor's map before it can make its store; the command waits for the monitor.
        var osdUuid = Guid.NewGuid().ToString();
        await RunAsync("ceph", ["--connect-timeout", "60", "osd", "new", osdUuid]);
        await RunAsync("ceph-osd", ["--mkfs", "-i", "0", "--osd-uuid", osdUuid]);
        StartDaemon("ceph-osd", ["-i", "0"]);

        // radosgw creates its pools once the OSD is up, and only then opens its port.
        StartDaemon("radosgw", ["-n", "client.rgw"]);
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            if (!await Eventually.WaitAsync(() => AnswersAsync(http), StartBound))
            {
                throw new TimeoutException($"radosgw did not answer on {ServiceUrl} within {StartBound}");
            }
        }

        await RunAsync("radosgw-admin", ["user", "create", "--uid", "berth-test", "--display-name", "Berth tests", "--access-key", AccessKey, "--secret", SecretKey]);
    }

    private async Task<bool> AnswersAsync(HttpClient http)
    {
        if (_daemons.FirstOrDefault(d => d.HasExited) is { } exited)
        {
            throw new InvalidOperationException($"{exited.StartInfo.FileName} exited ({exited.ExitCode})");
        }

        try
        {
            using var response = await http.GetAsync(ServiceUrl);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Every path names the folder, since the defaults are under /etc/ceph, /var/lib/ceph, /var/log/ceph and
    /// /var/run/ceph (the monitor's cluster log too). It ends with an empty line: Ceph's parser refuses a last line
    /// without its line feed.
    /// </summary>
    private string Configuration(string fsid, string monitorAddresses, int gatewayPort) => $"""
        [global]
        fsid = {fsid}
        mon host = {monitorAddresses}
        public addr = 127.0.0.1
        cluster addr = 127.0.0.1
        # No keyrings to make or find: the cluster listens on loopback only, and only for one test run.
        auth cluster required = none
        auth service required = none
        auth client required = none
        # One OSD: one copy, and few placement groups for it to peer; radosgw's pools stay under mon max pg per osd.
        osd pool default size = 1
        osd pool default min size = 1
        osd pool default pg num = 8
        # A throwaway store: objects in memory, nothing written to disk.
        osd objectstore = memstore
        memstore device bytes = 2147483648
        # radosgw makes its pools one by one, each a monitor proposal, which waits a second by default.
        paxos propose interval = 0.01
        paxos min wait = 0.01
        # The monitor stops at 5% free disk, though it writes next to nothing and the OSD nothing at all.
        mon data avail crit = 0
        run dir = {_folder}/run
        crash dir = {_folder}/crash
        log file = {_folder}/log/$name.log
        mon cluster log file = {_folder}/log/cluster.log

        [mon]
        mon data = {_folder}/mon

        [osd]
        osd data = {_folder}/osd

        [client]
        # radosgw asks for a secure session with the monitor by default and, with auth none, retries until it gives up.
        ms mon client mode = crc

        [client.rgw]
        rgw data = {_folder}/rgw
        # Without it a kept-alive client waits out its delayed acknowledgement (40 ms) on every object it reads.
        rgw frontends = beast endpoint=127.0.0.1:{gatewayPort} tcp_nodelay=1

        """;

    /// <summary>Starts a daemon in the foreground (<c>-f</c>), so it stays this process's child to kill and wait for.</summary>
    private void StartDaemon(string tool, string[] arguments)
    {
        var start = StartInfo(tool, arguments);
        start.ArgumentList.Add("-f");
        var process = Process.Start(start)!;
        _daemons.Add(process);

        // Its log file says more, but not why it could not start: a bad option or a taken port is only said here.
        process.OutputDataReceived += (_, e) => Keep(tool, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(tool, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void Keep(string tool, string? line)
    {
        if (line is { Length: > 0 })
        {
            _daemonOutput.Enqueue($"{tool}: {line}");
            if (_daemonOutput.Count > 40)
            {
                _daemonOutput.TryDequeue(out _);
            }
        }
    }

    private void Stop()
    {
        try
        {
            // Nothing in the cluster outlives the run, so there is nothing to shut down cleanly.
            foreach (var daemon in Enumerable.Reverse(_daemons))
            {
                daemon.Kill();
                daemon.WaitForExit();
                daemon.Dispose();
            }
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task RunAsync(string tool, string[] arguments)
    {
        using var process = Process.Start(StartInfo(tool, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await output}{await error}");
        }
    }

    private ProcessStartInfo StartInfo(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(_binaries, tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Conf);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private string LogTails()
    {
        var logs = Path.Combine(_folder, "log");
        var files = Directory.Exists(logs) ? Directory.GetFiles(logs, "*.log").Order() : Enumerable.Empty<string>();
        return string.Join('\n', files
            .Select(f => $"--- {Path.GetFileName(f)}\n{string.Join('\n', File.ReadLines(f).TakeLast(20))}")
            .Append($"--- the daemons' output\n{string.Join('\n', _daemonOutput)}"));
    }

    /// <summary>The folder holding Ceph's tools, Debian's <c>/usr/bin</c>; <c>BERTH_TEST_CEPH_BIN</c> names another.</summary>
    private static string? FindBinaries()
    {
        var folder = Environment.GetEnvironmentVariable("BERTH_TEST_CEPH_BIN") is { Length: > 0 } configured ? configured : "/usr/bin";
        return Tools.All(tool => File.Exists(Path.Combine(folder, tool))) ? folder : null;
    }
}
