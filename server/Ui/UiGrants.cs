using System.Text.Json.Nodes;

namespace Berth.Server.Ui;

/// <summary>
/// Grants as the UI's forms give them (a pattern per row, and its actions as a comma-separated list or ticked boxes),
/// written as the content API's grants, which the user service then reads and checks as it does for the API.
/// </summary>
public static class UiGrants
{
    public static JsonArray Read(IReadOnlyList<string?> patterns, IReadOnlyList<string?> actions)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        ArgumentNullException.ThrowIfNull(actions);
        var grants = new JsonArray();
        for (var i = 0; i < Math.Max(patterns.Count, actions.Count); i++)
        {
            var pattern = patterns.ElementAtOrDefault(i)?.Trim() ?? string.Empty;
            var named = (actions.ElementAtOrDefault(i) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (pattern.Length == 0 && named.Length == 0)
            {
                continue;
            }

            grants.Add(new JsonObject { ["pattern"] = pattern, ["actions"] = new JsonArray([.. named.Select(a => JsonValue.Create(a))]) });
        }

        return grants;
    }
}
