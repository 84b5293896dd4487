using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Server.Hosting;

/// <summary>
/// Leaves out the host's own report of a failed start (an error with a stack trace of some 40 lines, before the
/// line that matters): the server reports the failure itself, in one line that says what to do
/// (<see cref="StartFailure"/>), and a failure it does not know still ends the process with its stack trace.
/// </summary>
public sealed class QuietHostStartFailure(ILoggerFactory inner) : ILoggerFactory
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    // The host's HostedServiceStartupFaulted ("Hosting failed to start").
    private const int StartFailedEvent = 11;

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName == HostCategory ? new HostLogger(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private sealed class HostLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id != StartFailedEvent)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}

/// <summary>Registers <see cref="QuietHostStartFailure"/> around the logger factory.</summary>
public static class QuietHostStartFailureRegistration
{
    /// <summary>Wraps the logger factory registered so far (call it after the logging set-up).</summary>
    public static IServiceCollection AddQuietHostStartFailure(this IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(ILoggerFactory));
        var make = registered.ImplementationFactory
            ?? throw new InvalidOperationException("the logger factory must be registered with a factory to be wrapped");
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new QuietHostStartFailure((ILoggerFactory)make(sp))));
        return services;
    }
}
