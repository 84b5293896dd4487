using System.Collections;

namespace Berth.Server.Logging;

/// <summary>
/// A log state's named values with their text escaped (see <see cref="EscapedLogValues"/>), read once when a provider
/// first asks: what the JSON console formatter writes under <c>State</c>, what OpenTelemetry exports.
/// </summary>
internal abstract class EscapedValueList(object? state) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private IReadOnlyList<KeyValuePair<string, object?>>? _values;

    /// <summary>The state as the caller logged it.</summary>
    protected object? State { get; } = state;

    private IReadOnlyList<KeyValuePair<string, object?>> Values => _values ??= EscapedLogValues.Of(State);

    public int Count => Values.Count;

    public KeyValuePair<string, object?> this[int index] => Values[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
