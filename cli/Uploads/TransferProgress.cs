using System.Diagnostics;
using System.Globalization;

namespace Berth.Cli.Uploads;

/// <summary>
/// Progress of a transfer: bytes, rate and time left. On a terminal one line is redrawn in place; otherwise a plain
/// line is printed every few seconds (logs of CI jobs stay readable); with --quiet, nothing.
/// </summary>
public sealed class TransferProgress : IProgress<long>, IDisposable
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(200);
    private readonly Output _output;
    private readonly string _label;
    private readonly long _total;
    private readonly bool _terminal;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private long _done;
    private TimeSpan _next;
    private bool _drawn;

    private TransferProgress(Output output, string label, long total, bool terminal)
    {
        _output = output;
        _label = label;
        _total = total;
        _terminal = terminal;
        _next = terminal ? TimeSpan.Zero : PlainInterval;
    }

    public static TransferProgress Start(Output output, string label, long total)
    {
        ArgumentNullException.ThrowIfNull(output);
        var terminal = !output.Quiet && ReferenceEquals(output.Standard, Console.Out) && !Console.IsOutputRedirected;
        return new TransferProgress(output, label, total, terminal);
    }

    public void Report(long value)
    {
        lock (_lock)
        {
            _done += value;
            if (_output.Quiet || _clock.Elapsed < _next)
            {
                return;
            }

            _next = _clock.Elapsed + (_terminal ? TerminalInterval : PlainInterval);
            Write(Line(), final: false);
        }
    }

    /// <summary>The closing line: what was sent, in how long, how fast.</summary>
    public void Done()
    {
        lock (_lock)
        {
            if (!_output.Quiet)
            {
                Write($"{_label}: {Size(_done)} in {_clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s ({Size((long)(_done / Math.Max(_clock.Elapsed.TotalSeconds, 0.001)))}/s)", final: true);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_terminal && _drawn)
            {
                _output.Standard.WriteLine();
                _drawn = false;
            }
        }
    }

    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("F2", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("F1", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };

    private string Line()
    {
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        var rate = _done / seconds;
        var left = rate > 0 ? TimeSpan.FromSeconds((_total - _done) / rate) : TimeSpan.Zero;
        var percent = _total > 0 ? 100.0 * _done / _total : 100;
        return $"{_label}: {Size(_done)} of {Size(_total)} ({percent.ToString("F0", CultureInfo.InvariantCulture)}%), {Size((long)rate)}/s, {left:hh\\:mm\\:ss} left";
    }

    private void Write(string line, bool final)
    {
        if (_terminal)
        {
            _output.Standard.Write("\r\u001b[2K" + line);
            _drawn = !final;
            if (final)
            {
                _output.Standard.WriteLine();
            }
        }
        else
        {
            _output.Standard.WriteLine(line);
        }
    }
}
