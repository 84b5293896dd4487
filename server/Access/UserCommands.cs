using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.Plugins;
using Berth.Server.Errors;

namespace Berth.Server.Access;

/// <summary>Reads the bodies of the users API: logins, passwords, grants and token requests.</summary>
public static partial class UserCommands
{
    public const int MinPasswordLength = 8;
    public const int MaxTokenNameLength = 100;
    public const int MaxTokenLifetimeDays = 3650;

    /// <summary>The most grants a user may have: every request matches them, so their number is bounded.</summary>
    public const int MaxGrantsPerUser = 100;

    /// <summary>The most grants in a token's scope: a few patterns, matched (and compared) on every use.</summary>
    public const int MaxGrantsPerToken = 32;

    public static string ReadLogin(string? text) =>
        text is not null && LoginGrammar().IsMatch(text)
            ? text
            : throw ApiException.Invalid($"'{text}' is not a valid login: use 1 to 64 lowercase letters, digits, '.', '_' and '-', starting with a letter or digit");

    public static string ReadPassword(JsonObject body, string objectName)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!body.ContainsKey("password"))
        {
            // Pulp 2 made users without one; its clients send only a login.
            throw ApiException.Invalid(
                $"{objectName}.password is required: every Berth user signs in with a password (of at least {MinPasswordLength} characters); " +
                "for a robot, give it one it never uses and sign in with an API token (POST /pulp/api/v2/users/{login}/tokens/)",
                new JsonObject { ["property_names"] = new JsonArray("password") });
        }

        var password = RequestFields.RequireString(body, "password", objectName, ContentError.InvalidRequest);
        return password.Length >= MinPasswordLength
            ? password
            : throw ApiException.Invalid($"{objectName}.password must have at least {MinPasswordLength} characters");
    }

    /// <summary>Reads <c>[{"pattern": "team/*", "actions": ["pull", "push"]}]</c>, at most <paramref name="max"/> of them.</summary>
    public static IReadOnlyList<Grant>? ReadGrants(JsonObject body, string name, string objectName, int max)
    {
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        if (node is not JsonArray array)
        {
            throw ApiException.Invalid($"{objectName}.{name} must be an array of {{\"pattern\", \"actions\"}}");
        }

        if (array.Count > max)
        {
            throw ApiException.Invalid($"{objectName}.{name} may hold {max} grants at most, not {array.Count}: use wider patterns");
        }

        var grants = new List<Grant>();
        foreach (var (item, index) in array.Select((item, index) => (item, index)))
        {
            var path = $"{objectName}.{name}[{index}]";
            if (item is not JsonObject grant)
            {
                throw ApiException.Invalid($"{path} must be an object with pattern and actions");
            }

            RequestFields.RejectUnknown(grant, path, ContentError.InvalidRequest, "pattern", "actions");
            var pattern = RequestFields.RequireString(grant, "pattern", path, ContentError.InvalidRequest);
            if (!Grant.IsValidPattern(pattern))
            {
                throw ApiException.Invalid($"{path}.pattern '{pattern}' may hold only letters, digits, '.', '_', '-', '/', '*' and '?'");
            }

            var actions = RequestFields.OptionalStrings(grant, "actions", path, ContentError.InvalidRequest)
                ?? throw ApiException.Invalid($"{path}.actions is required: some of pull, push, delete, admin");
            if (!AccessActions.TryParseAll(actions, out var unknown, out var parsed) || parsed == AccessAction.None)
            {
                throw ApiException.Invalid($"{path}.actions: '{unknown}' is not one of pull, push, delete, admin, *");
            }

            grants.Add(new Grant(pattern, parsed));
        }

        return grants;
    }

    public static JsonArray Describe(IEnumerable<Grant> grants) =>
        new([.. grants.Select(g => (JsonNode)new JsonObject
        {
            ["pattern"] = g.Pattern,
            ["actions"] = new JsonArray([.. AccessActions.Names(g.Actions).Select(a => JsonValue.Create(a))]),
        })]);

    /// <summary>
    /// A token's name: up to 100 characters that print. Names reach the audit log and listings; a control or
    /// line-separator character could forge a line there.
    /// </summary>
    public static string ReadTokenName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var printable = name.Length <= MaxTokenNameLength && name.Trim().Length > 0 && name.All(c => char.GetUnicodeCategory(c) is not (
            System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format or
            System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator or
            System.Globalization.UnicodeCategory.Surrogate or System.Globalization.UnicodeCategory.OtherNotAssigned));
        return printable
            ? name
            : throw ApiException.Invalid($"request.name must be 1 to {MaxTokenNameLength} printable characters: no control, format or line-separator characters");
    }

    /// <summary>
    /// When a token ends: <c>"expires"</c> (ISO 8601) or <c>"expires_in_days"</c>; 90 days when neither is given,
    /// and never more than <see cref="MaxTokenLifetimeDays"/> days ahead either way.
    /// </summary>
    public static DateTimeOffset ReadExpiry(JsonObject body, DateTimeOffset now)
    {
        var days = RequestFields.OptionalPositiveInteger(body, "expires_in_days", "request", ContentError.InvalidRequest);
        var at = RequestFields.OptionalString(body, "expires", "request", ContentError.InvalidRequest);
        if (days is not null && at is not null)
        {
            throw ApiException.Invalid("give either expires or expires_in_days, not both");
        }

        var latest = now.AddDays(MaxTokenLifetimeDays);
        if (at is not null)
        {
            if (!DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var when) || when <= now)
            {
                throw ApiException.Invalid($"request.expires '{at}' must be a date and time (ISO 8601) in the future");
            }

            return when <= latest ? when : throw ApiException.Invalid($"request.expires may be {MaxTokenLifetimeDays} days ahead at most ({latest:O})");
        }

        return days is > MaxTokenLifetimeDays ? throw ApiException.Invalid($"request.expires_in_days may be {MaxTokenLifetimeDays} at most") : now.AddDays(days ?? 90);
    }

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9._-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex LoginGrammar();
}
