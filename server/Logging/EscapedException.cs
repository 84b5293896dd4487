using System.Globalization;
using System.Text;

namespace Berth.Server.Logging;

/// <summary>
/// An exception as the log shows it when its message (or an inner one's) holds a control character, such as a
/// parser's message that quotes the input: the same type names, messages escaped, and the stack traces as they
/// were. Stack traces stay multi-line; nothing in them comes from a request. Exceptions whose messages are clean
/// are logged as they are.
/// </summary>
public sealed class EscapedException : Exception
{
    private readonly string _text;
    private readonly string? _stackTrace;

    private EscapedException(Exception original)
        : base(LogText.Escape(original.Message))
    {
        _text = Describe(new StringBuilder(), original).ToString();
        _stackTrace = original.StackTrace;
        HResult = original.HResult;
        OriginalType = original.GetType();
    }

    /// <summary>The type of the exception this one stands for, for consumers that report exception types.</summary>
    public Type OriginalType { get; }

    public override string? StackTrace => _stackTrace;

    /// <summary>The exception to log in place of <paramref name="exception"/>.</summary>
    public static Exception? For(Exception? exception) =>
        exception is not null && HasControlsInMessages(exception) ? new EscapedException(exception) : exception;

    public override string ToString() => _text;

    private static bool HasControlsInMessages(Exception exception) =>
        LogText.NeedsEscaping(exception.Message) ||
        (exception is AggregateException aggregate
            ? aggregate.InnerExceptions.Any(HasControlsInMessages)
            : exception.InnerException is { } inner && HasControlsInMessages(inner));

    // The layout of Exception.ToString: "Type: message ---> inner ... --- End of inner exception stack trace ---",
    // then the stack trace.
    private static StringBuilder Describe(StringBuilder text, Exception exception)
    {
        text.Append(exception.GetType().FullName);
        if (exception.Message.Length > 0)
        {
            text.Append(": ").Append(LogText.Escape(exception.Message));
        }

        if (exception is AggregateException aggregate)
        {
            for (var i = 0; i < aggregate.InnerExceptions.Count; i++)
            {
                text.AppendLine().Append(" ---> (Inner Exception #").Append(i.ToString(CultureInfo.InvariantCulture)).Append(") ");
                Describe(text, aggregate.InnerExceptions[i]).Append("<---");
            }
        }
        else if (exception.InnerException is { } inner)
        {
            Describe(text.Append(" ---> "), inner).AppendLine().Append("   --- End of inner exception stack trace ---");
        }

        if (exception.StackTrace is { } trace)
        {
            text.AppendLine().Append(trace);
        }

        return text;
    }
}
