using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Berth.Tests.Support;

/// <summary>
/// Collects what the in-process server logs as errors, showing them in the test output so that a test that
/// gets a 500 also shows why, and its audit lines.
/// </summary>
public sealed class ServerErrorLog : ILoggerProvider
{
    public ConcurrentQueue<string> Errors { get; } = new();

    public ConcurrentQueue<string> Audit { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ServerErrorLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error || (category == "Berth.Audit" && logLevel >= LogLevel.Information);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            if (category == "Berth.Audit")
            {
                log.Audit.Enqueue(formatter(state, exception));
                return;
            }

            var entry = $"{category}: {formatter(state, exception)}{Environment.NewLine}{exception}";
            log.Errors.Enqueue(entry);
            TestContext.Progress.WriteLine("server error: " + entry);
        }
    }
}
