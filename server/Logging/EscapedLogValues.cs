using System.Globalization;

namespace Berth.Server.Logging;

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
