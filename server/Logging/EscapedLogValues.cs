using System.Collections;
using System.Globalization;

namespace Berth.Server.Logging;

/// <summary>
/// A log entry's state as providers see it: the message from the original formatter, escaped, and the original
/// structured values (what the JSON console formatter writes under <c>State</c>, what OpenTelemetry exports), with
/// their text escaped too, so that a consumer that decodes the JSON gets no control character either.
/// </summary>
internal sealed class EscapedState<TState>(TState state, Func<TState, Exception?, string> formatter) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public static readonly Func<EscapedState<TState>, Exception?, string> Format = static (escaped, exception) => escaped.Message(exception);

    private IReadOnlyList<KeyValuePair<string, object?>>? _values;

    private IReadOnlyList<KeyValuePair<string, object?>> Values => _values ??= EscapedLogValues.Of(state);

    public int Count => Values.Count;

    public KeyValuePair<string, object?> this[int index] => Values[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Message(null);

    private string Message(Exception? exception) => LogText.Escape(formatter(state, exception) ?? string.Empty);
}

/// <summary>A logging scope's state, escaped the same way.</summary>
internal sealed class EscapedScope(object state) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private IReadOnlyList<KeyValuePair<string, object?>>? _values;

    private IReadOnlyList<KeyValuePair<string, object?>> Values => _values ??= EscapedLogValues.Of(state);

    public int Count => Values.Count;

    public KeyValuePair<string, object?> this[int index] => Values[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => LogText.Escape(Convert.ToString(state, CultureInfo.InvariantCulture) ?? string.Empty);
}

internal static class EscapedLogValues
{
    /// <summary>The state's named values: numbers and other values whose text holds no control character as they are, the rest as escaped text.</summary>
    public static IReadOnlyList<KeyValuePair<string, object?>> Of(object? state) =>
        state is IEnumerable<KeyValuePair<string, object?>> values
            ? [.. values.Select(v => new KeyValuePair<string, object?>(v.Key, Escape(v.Value)))]
            : [];

    private static object? Escape(object? value) => value switch
    {
        null => null,
        string text => LogText.Escape(text),
        bool or byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal => value,
        DateTime or DateTimeOffset or TimeSpan or Guid or Enum => value,
        _ => LogText.Escape(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty),
    };
}
