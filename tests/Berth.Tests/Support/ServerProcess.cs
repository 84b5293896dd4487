using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Berth.Tests.Support;

/// <summary>
/// The real server as an operator runs it: its own process (<c>dotnet Berth.Server.dll</c>), on a free loopback
/// port, with a data folder given on the command line.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private int _errorsReadUpTo;

    private ServerProcess(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int ProcessId => _process.Id;

    private int _auditReadUpTo;

    // Where the server said it listens; it has started once it says so too.
    private Uri? _listening;

    /// <summary>The audit lines the server wrote since the last call.</summary>
    public IReadOnlyList<string> DrainAudit()
    {
        string text;
        lock (_output)
        {
            text = _output.ToString(_auditReadUpTo, _output.Length - _auditReadUpTo);
            _auditReadUpTo = _output.Length;
        }

        return [.. text.Split('\n').Where(line => line.Contains("audit action=", StringComparison.Ordinal))];
    }

    /// <summary>
    /// The error entries (<c>fail:</c> and <c>crit:</c>, with their lines) the server wrote since the last call, up to
    /// now: its log reaches the test a little after its responses, so a request of its own, which the server logs,
    /// is sent first and waited for (bounded). An error logged while a request was served is then never read late,
    /// and blamed on the next test.
    /// </summary>
    public async Task<IReadOnlyList<string>> DrainErrorsAsync()
    {
        var marker = $"caught-up-{Guid.NewGuid():N}";
        using (var client = CreateAnonymousClient())
        {
            using var refused = await client.GetAsync($"/pulp/api/v2/repositories/{marker}/");
        }

        var logged = await Eventually.WaitAsync(() => Output.Contains(marker, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.That(logged, Is.True, $"the server did not log the request for {marker}");
        return DrainErrors();
    }

    /// <summary>
    /// The errors a server that has exited logged since they were last read: its output is complete once
    /// <see cref="WaitForExitAsync"/> returned (the wait includes the end of its redirected output).
    /// </summary>
    public IReadOnlyList<string> ErrorsAfterExit()
    {
        Assert.That(_process.HasExited, Is.True, "errors are read this way only once the server has exited");
        return DrainErrors();
    }

    private List<string> DrainErrors()
    {
        string text;
        lock (_output)
        {
            text = _output.ToString(_errorsReadUpTo, _output.Length - _errorsReadUpTo);
            _errorsReadUpTo = _output.Length;
        }

        var errors = new List<string>();
        StringBuilder? current = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("fail: ", StringComparison.Ordinal) || line.StartsWith("crit: ", StringComparison.Ordinal))
            {
                current = new StringBuilder(line);
                errors.Add(string.Empty);
            }
            else if (current is not null && line.StartsWith("      ", StringComparison.Ordinal))
            {
                current.Append('\n').Append(line);
            }
            else
            {
                current = null;
            }

            if (current is not null)
            {
                errors[^1] = current.ToString();
            }
        }

        return errors;
    }

    public static ProcessStartInfo StartInfo(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Berth.Server.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["BERTH_ADMIN_PASSWORD"] = TestCredentials.AdminPassword;
        start.Environment["Logging__Console__FormatterName"] = "simple";
        return start;
    }

    /// <summary>
    /// The same start through <c>sh</c>, so that a shell command run first (<c>ulimit -n 700</c>, <c>umask 022</c>)
    /// applies to the server, which then takes the shell's place (same process id).
    /// </summary>
    public static ProcessStartInfo Through(ProcessStartInfo start, string setup)
    {
        ArgumentNullException.ThrowIfNull(start);
        var wrapped = new ProcessStartInfo("sh")
        {
            WorkingDirectory = start.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-c", $"{setup} && exec \"$0\" \"$@\"", start.FileName, .. start.ArgumentList])
        {
            wrapped.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in start.Environment)
        {
            wrapped.Environment[name] = value;
        }

        return wrapped;
    }

    /// <summary>Starts the server and waits until it listens; fails with its output if it stops instead.</summary>
    public static Task<ServerProcess> StartAsync(string workingDirectory, params string[] arguments) =>
        StartAsync(StartInfo(workingDirectory, ["--urls", "http://127.0.0.1:0", .. arguments]));

    /// <summary>
    /// Starts the server as described (which must listen on a loopback port) and waits until it has started: it
    /// listens first, then prepares its data folder, so a test that reads the folder waits for the host's
    /// "Application started".
    /// </summary>
    public static async Task<ServerProcess> StartAsync(ProcessStartInfo start)
    {
        var process = Process.Start(start)!;
        var server = new ServerProcess(process);
        var started = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => server.Record(e.Data, started);
        process.ErrorDataReceived += (_, e) => server.Record(e.Data, started);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(started.Task, exited, Task.Delay(StartTimeout));
        if (first != started.Task)
        {
            var output = server.Output;
            await server.DisposeAsync();
            throw new InvalidOperationException($"the server did not start:\n{output}");
        }

        server.BaseAddress = await started.Task;
        return server;
    }

    /// <summary>
    /// Runs the server as described until it exits on its own (a command line it refuses, a start that fails,
    /// <c>--help</c>), within <paramref name="bound"/>; kills it and fails the test if it is still running then.
    /// </summary>
    public static async Task<ServerExit> RunToExitAsync(ProcessStartInfo start, TimeSpan bound)
    {
        ArgumentNullException.ThrowIfNull(start);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new AssertionException($"the server was still running after {bound}:\n{await output}\n{await errors}");
        }

        return new ServerExit(process.ExitCode, await output, await errors);
    }

    /// <summary>A client signed in as the administrator.</summary>
    public HttpClient CreateClient() => CreateAnonymousClient().SignIn();

    public HttpClient CreateAnonymousClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(5) };

    /// <summary>Stops the server the way an operator does (SIGTERM) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        await SignalAsync("TERM");
        await WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Sends the server a signal (<c>TERM</c>, <c>INT</c>) without waiting for what it does.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits for the server to exit, at most <paramref name="bound"/> (else <see cref="OperationCanceledException"/>).</summary>
    public async Task WaitForExitAsync(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>Kills the server at once (SIGKILL), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        var pid = _process.Id;
        await KillAsync();
        _process.Dispose();

        // The runner shows a test's output only when it fails: then the end of the server's log is beside the failure.
        var lines = Output.Split('\n');
        TestContext.Out.WriteLine($"--- the last {Math.Min(lines.Length, OutputTailLines)} lines the server (pid {pid}) wrote:");
        TestContext.Out.WriteLine(string.Join('\n', lines.TakeLast(OutputTailLines)));
    }

    private const int OutputTailLines = 60;

    private void Record(string? line, TaskCompletionSource<Uri> started)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _listening ??= new Uri(match.Groups[1].Value);
        }
        else if (line.Contains("Application started.", StringComparison.Ordinal) && _listening is not null)
        {
            started.TrySetResult(_listening);
        }
    }

    [GeneratedRegex(@"Now listening on: (https?://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
