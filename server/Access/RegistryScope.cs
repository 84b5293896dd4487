using System.Diagnostics.CodeAnalysis;

namespace Berth.Server.Access;

/// <summary>
/// A scope of the registry token protocol: <c>repository:NAME:ACTIONS</c> (actions comma-separated) or
/// <c>registry:catalog:*</c>.
/// </summary>
public sealed record RegistryScope(string Type, string Name, AccessAction Actions)
{
    public const string Repository = "repository";
    public const string Registry = "registry";

    public static RegistryScope Catalog { get; } = new(Registry, "catalog", AccessAction.All);

    public static bool TryParse(string? text, [NotNullWhen(true)] out RegistryScope? scope)
    {
        scope = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        // The name may hold colons only in a port-qualified name, which this registry does not serve; split from both ends.
        var first = text.IndexOf(':', StringComparison.Ordinal);
        var last = text.LastIndexOf(':');
        if (first <= 0 || last <= first)
        {
            return false;
        }

        var type = text[..first];
        var name = text[(first + 1)..last];
        var actions = AccessAction.None;
        foreach (var action in text[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (AccessActions.TryParse(action, out var parsed))
            {
                actions |= parsed;
            }
        }

        if (type is not (Repository or Registry) || name.Length == 0)
        {
            return false;
        }

        scope = new RegistryScope(type, name, actions);
        return true;
    }

    public override string ToString() =>
        Type == Registry ? $"{Type}:{Name}:*" : $"{Type}:{Name}:{string.Join(',', AccessActions.Names(Actions))}";
}
