using System.Globalization;

namespace Berth.Server.Logging;

/// <summary>A logging scope's state, escaped the same way as a log entry's.</summary>
internal sealed class EscapedScope(object state) : EscapedValueList(state)
{
    public override string ToString() => LogText.Escape(Convert.ToString(State, CultureInfo.InvariantCulture) ?? string.Empty);
}
