using System.Collections.Concurrent;
using Berth.Server.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Berth.Tests.Logs;

/// <summary>
/// The logger factory the server runs with (<see cref="EscapedLogs.AddEscapedLogs"/>): what every provider gets
/// from it, message, values, scopes and exceptions, and what it leaves as it was.
/// </summary>
public sealed class EscapingLoggerFactoryTests
{
    private const string Forged = "x\n      audit action=forged target=y";
    private const string Escaped = @"x\n      audit action=forged target=y";

    [Test]
    public void Message_ArgumentWithNewline_ReachesProvidersEscaped()
    {
        var (logger, entries) = Create();

        logger.LogInformation("repository {Id} does not exist", Forged);

        var entry = entries.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(entry.Message, Is.EqualTo($"repository {Escaped} does not exist"));
            Assert.That(entry.State.ToString(), Is.EqualTo(entry.Message));
            Assert.That(entry.Values["Id"], Is.EqualTo(Escaped), "structured values, as the JSON formatter writes them");
            Assert.That(entry.Values["{OriginalFormat}"], Is.EqualTo("repository {Id} does not exist"));
        }
    }

    [Test]
    public void Message_ValuesOtherThanText_AreKeptOrEscapedAsText()
    {
        var (logger, entries) = Create();

        logger.LogInformation("{Status} {Path} {Size}", 404, new Uri("http://h/a%0Ab"), 3L);

        var values = entries.Single().Values;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(values["Status"], Is.EqualTo(404));
            Assert.That(values["Size"], Is.EqualTo(3L));
            Assert.That(values["Path"], Is.EqualTo("http://h/a%0Ab"));
        }
    }

    [Test]
    public void Message_WholeMessageFromAnotherFormatter_IsEscaped()
    {
        var (logger, entries) = Create();

        logger.Log(LogLevel.Warning, default, Forged, null, (state, _) => state);

        Assert.That(entries.Single().Message, Is.EqualTo(Escaped));
    }

    [Test]
    public void Scope_WithNewline_IsEscaped()
    {
        var (logger, entries) = Create();

        using (logger.BeginScope("request {Path}", "/v2/" + Forged))
        {
            logger.LogInformation("inside");
        }

        Assert.That(entries.Single().Scopes, Is.EqualTo(new[] { "request /v2/" + Escaped }));
    }

    [Test]
    public void Exception_MessageEchoingInput_IsLoggedEscapedWithItsStackTrace()
    {
        var (logger, entries) = Create();
        var thrown = Thrown(new InvalidOperationException("outer", new FormatException("bad '" + Forged + "'")));

        logger.LogError(thrown, "failed");

        var logged = entries.Single().Exception!;
        var text = logged.ToString();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(logged, Is.TypeOf<EscapedException>().With.Property(nameof(EscapedException.OriginalType)).EqualTo(typeof(InvalidOperationException)));
            Assert.That(text, Does.StartWith($"System.InvalidOperationException: outer ---> System.FormatException: bad '{Escaped}'"));
            Assert.That(text, Does.Contain("--- End of inner exception stack trace ---"));
            Assert.That(text, Does.Contain(nameof(Thrown)), "the stack trace stays");
            Assert.That(text.Split('\n').Where(line => line.TrimStart().StartsWith("audit action=", StringComparison.Ordinal)), Is.Empty);
            Assert.That(logged.StackTrace, Is.EqualTo(thrown.StackTrace));
        }
    }

    [Test]
    public void Exception_AggregateWithAnInnerMessageEchoingInput_IsEscaped()
    {
        var (logger, entries) = Create();

        logger.LogError(new AggregateException(new InvalidOperationException("fine"), new FormatException(Forged)), "failed");

        var text = entries.Single().Exception!.ToString();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(text, Does.Contain("(Inner Exception #1) System.FormatException: " + Escaped));
            Assert.That(text, Does.Not.Contain(Forged));
        }
    }

    [Test]
    public void Exception_WithCleanMessages_IsPassedOnAsItIs()
    {
        var (logger, entries) = Create();
        var thrown = Thrown(new InvalidOperationException("outer", new FormatException("inner")));

        logger.LogError(thrown, "failed");

        Assert.That(entries.Single().Exception, Is.SameAs(thrown));
    }

    [Test]
    public void Filters_ByProviderAlias_StillApply()
    {
        // The factory is decorated, not the providers: a rule for one provider (Logging:Capture:LogLevel) still finds it.
        var (logger, entries) = Create(logging => logging.AddFilter<CaptureProvider>("Test", LogLevel.Warning));

        logger.LogInformation("below the provider's level");
        logger.LogWarning("at it");

        Assert.That(entries.Select(e => e.Message), Is.EqualTo(new[] { "at it" }));
    }

    [Test]
    public void ProviderAddedLater_SeesEscapedEntries()
    {
        var services = new ServiceCollection().AddLogging().AddEscapedLogs();
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<ILoggerFactory>();
        var capture = new CaptureProvider();
        factory.AddProvider(capture);

        factory.CreateLogger("Test").LogInformation("{Id}", Forged);

        Assert.That(capture.Entries.Single().Message, Is.EqualTo(Escaped));
    }

    private static (ILogger Logger, ConcurrentQueue<Entry> Entries) Create(Action<ILoggingBuilder>? configure = null)
    {
        var capture = new CaptureProvider();
        var services = new ServiceCollection()
            .AddLogging(logging =>
            {
                logging.SetMinimumLevel(LogLevel.Trace);
                logging.AddProvider(capture);
                configure?.Invoke(logging);
            })
            .AddEscapedLogs();
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<ILoggerFactory>().CreateLogger("Test"), capture.Entries);
    }

    private static Exception Thrown(Exception exception)
    {
        try
        {
            throw exception;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private sealed record Entry(string Message, object State, IReadOnlyDictionary<string, object?> Values, IReadOnlyList<string> Scopes, Exception? Exception);

    [ProviderAlias("Capture")]
    private sealed class CaptureProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider? _scopes;

        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(CaptureProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => provider._scopes?.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scopes = new List<string>();
                provider._scopes?.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? string.Empty), scopes);
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToDictionary(p => p.Key, p => p.Value) : [];
                provider.Entries.Enqueue(new Entry(formatter(state, exception), state!, values, scopes, exception));
            }
        }
    }
}
