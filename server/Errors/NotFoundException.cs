namespace Berth.Server.Errors;

/// <summary>A resource the request names does not exist (or the caller may not know that it does).</summary>
/// <param name="resourceType">What kind of resource: <c>repository</c>, <c>upload</c>, <c>user</c>...</param>
/// <param name="id">Its id as the request gave it.</param>
public sealed class NotFoundException(string resourceType, string id) : Exception($"{resourceType} '{id}' does not exist")
{
    public string ResourceType { get; } = resourceType;

    public string Id { get; } = id;
}
