namespace Berth.Server.Logging;

/// <summary>
/// A log entry's state as providers see it: the message from the original formatter, escaped, and the original
/// structured values, with their text escaped too, so that a consumer that decodes the JSON gets no control
/// character either.
/// </summary>
internal sealed class EscapedState<TState>(TState state, Func<TState, Exception?, string> formatter) : EscapedValueList(state)
{
    public static readonly Func<EscapedState<TState>, Exception?, string> Format = static (escaped, exception) => escaped.Message(exception);

    public override string ToString() => Message(null);

    private string Message(Exception? exception) => LogText.Escape(formatter((TState)State!, exception) ?? string.Empty);
}
