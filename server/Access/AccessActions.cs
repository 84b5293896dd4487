using System.Diagnostics.CodeAnalysis;

namespace Berth.Server.Access;

/// <summary>The names of actions as the APIs and tokens write them: <c>pull</c>, <c>push</c>, <c>delete</c>, <c>admin</c>, <c>*</c>.</summary>
public static class AccessActions
{
    public static bool TryParse(string? text, out AccessAction action)
    {
        action = text switch
        {
            "pull" => AccessAction.Pull,
            "push" => AccessAction.Push,
            "delete" => AccessAction.Delete,
            "admin" => AccessAction.Admin,
            "*" => AccessAction.All,
            _ => AccessAction.None,
        };
        return action != AccessAction.None;
    }

    public static IReadOnlyList<string> Names(AccessAction actions)
    {
        var names = new List<string>();
        foreach (var (flag, name) in new[] { (AccessAction.Pull, "pull"), (AccessAction.Push, "push"), (AccessAction.Delete, "delete"), (AccessAction.Admin, "admin") })
        {
            if (actions.HasFlag(flag))
            {
                names.Add(name);
            }
        }

        return names;
    }

    public static bool TryParseAll(IEnumerable<string> texts, [NotNullWhen(false)] out string? unknown, out AccessAction actions)
    {
        actions = AccessAction.None;
        foreach (var text in texts)
        {
            if (!TryParse(text, out var action))
            {
                unknown = text;
                return false;
            }

            actions |= action;
        }

        unknown = null;
        return true;
    }
}
