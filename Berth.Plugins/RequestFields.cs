using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Plugins;

/// <summary>
/// Reads the free-form objects a client sends (unit key, unit metadata, configuration) with messages that name
/// the object and field at fault, so that every importer refuses bad input the same way.
/// </summary>
public static class RequestFields
{
    /// <summary>Refuses fields other than the allowed ones.</summary>
    /// <param name="fields">The object as sent.</param>
    /// <param name="objectName">How the client knows the object, for example <c>unit_key</c>.</param>
    /// <param name="error">The error to report.</param>
    /// <param name="allowed">The field names the object may have.</param>
    /// <exception cref="ContentException">Naming every unknown field and the allowed ones.</exception>
    public static void RejectUnknown(JsonObject fields, string objectName, ContentError error, params IReadOnlyCollection<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(allowed);
        var unknown = fields.Select(f => f.Key).Where(name => !allowed.Contains(name)).ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        var expected = allowed.Count == 0 ? "it takes no fields" : "it takes " + string.Join(", ", allowed);
        throw new ContentException(
            error,
            $"{objectName} has unknown field{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown)}; {expected}",
            new JsonObject { ["unknown_fields"] = new JsonArray([.. unknown.Select(u => JsonValue.Create(u))]) });
    }

    /// <summary>Reads a required string field.</summary>
    /// <exception cref="ContentException">When the field is missing, not a string or empty.</exception>
    public static string RequireString(JsonObject fields, string name, string objectName, ContentError error) =>
        OptionalString(fields, name, objectName, error)
        ?? throw new ContentException(error, $"{objectName}.{name} is required");

    /// <summary>Reads an optional string field; <see langword="null"/> when it is absent or JSON null.</summary>
    /// <exception cref="ContentException">When the field is present but not a non-empty string.</exception>
    public static string? OptionalString(JsonObject fields, string name, string objectName, ContentError error)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!fields.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.String || string.IsNullOrEmpty(node.GetValue<string>()))
        {
            throw new ContentException(error, $"{objectName}.{name} must be a non-empty string");
        }

        return node.GetValue<string>();
    }

    /// <summary>Reads an optional <c>true</c> or <c>false</c> field; <see langword="null"/> when it is absent or JSON null.</summary>
    /// <exception cref="ContentException">When the field is present but not a boolean.</exception>
    public static bool? OptionalBoolean(JsonObject fields, string name, string objectName, ContentError error)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!fields.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        return node.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? node.GetValue<bool>()
            : throw new ContentException(error, $"{objectName}.{name} must be true or false");
    }

    /// <summary>Reads an optional positive integer field; <see langword="null"/> when it is absent or JSON null.</summary>
    /// <exception cref="ContentException">When the field is present but not a positive integer.</exception>
    public static long? OptionalPositiveInteger(JsonObject fields, string name, string objectName, ContentError error)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!fields.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) && number > 0)
        {
            return number;
        }

        throw new ContentException(error, $"{objectName}.{name} must be a positive integer");
    }

    /// <summary>Reads an optional non-negative integer field; <see langword="null"/> when it is absent or JSON null.</summary>
    /// <exception cref="ContentException">When the field is present but not a non-negative integer.</exception>
    public static long? OptionalNonNegativeInteger(JsonObject fields, string name, string objectName, ContentError error)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!fields.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) && number >= 0)
        {
            return number;
        }

        throw new ContentException(error, $"{objectName}.{name} must be a non-negative integer");
    }

    /// <summary>Reads an optional object field; <see langword="null"/> when it is absent or JSON null.</summary>
    /// <exception cref="ContentException">When the field is present but not an object.</exception>
    public static JsonObject? OptionalObject(JsonObject fields, string name, string objectName, ContentError error)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!fields.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        return node as JsonObject ?? throw new ContentException(error, $"{objectName}.{name} must be an object");
    }

    /// <summary>Reads an optional array of strings; <see langword="null"/> when it is absent or JSON null.</summary>
    /// <exception cref="ContentException">When the field is present but not an array of strings.</exception>
    public static IReadOnlyList<string>? OptionalStrings(JsonObject fields, string name, string objectName, ContentError error)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!fields.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        if (node is not JsonArray array || array.Any(item => item is null || item.GetValueKind() != JsonValueKind.String))
        {
            throw new ContentException(error, $"{objectName}.{name} must be an array of strings");
        }

        return [.. array.Select(item => item!.GetValue<string>())];
    }
}
