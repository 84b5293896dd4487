namespace Berth.Server.Errors;

/// <summary>A resource the request would create already exists.</summary>
public sealed class DuplicateException(string resourceType, string id) : Exception($"{resourceType} '{id}' already exists")
{
    public string ResourceType { get; } = resourceType;

    public string Id { get; } = id;
}
