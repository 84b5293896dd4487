using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Berth.Server.Logging;

/// <summary>
/// The one place where log lines are made safe: every logger the server, ASP.NET Core and Kestrel create comes
/// from this factory, and passes each entry on with its message, its structured values, its scopes and its
/// exception's messages escaped (<see cref="LogText"/>). Whatever the source (a request path, a repository id, a
/// token name, the message of a refusal, a framework's own line), no control character reaches a provider, so no
/// request can end a log line and forge the next one.
/// </summary>
/// <remarks>
/// The factory is decorated rather than each provider, so that the providers stay what they are: per-provider
/// filters (<c>Logging:Console:LogLevel</c>) are matched on the provider's type and alias, and a wrapped provider
/// would silently lose them. Every provider registered, now or later, sees only escaped entries.
/// </remarks>
public sealed class EscapingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) =>
        _loggers.GetOrAdd(categoryName, static (category, factory) => new EscapingLogger(factory.CreateLogger(category)), inner);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private sealed class EscapingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(new EscapedScope(state));

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            inner.Log(logLevel, eventId, new EscapedState<TState>(state, formatter), EscapedException.For(exception), EscapedState<TState>.Format);
        }
    }
}

/// <summary>Registers <see cref="EscapingLoggerFactory"/> around the logger factory.</summary>
public static class EscapedLogs
{
    /// <summary>
    /// Replaces the logger factory with one that escapes every entry. Call it after the host's logging set-up; any
    /// provider added later (configuration, tests) is still behind it.
    /// </summary>
    public static IServiceCollection AddEscapedLogs(this IServiceCollection services)
    {
        services.AddLogging();
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new EscapingLoggerFactory(new LoggerFactory(
            sp.GetServices<ILoggerProvider>(),
            sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>(),
            sp.GetService<IExternalScopeProvider>()))));
        return services;
    }
}
