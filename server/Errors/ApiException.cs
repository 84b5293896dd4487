using System.Text.Json.Nodes;

namespace Berth.Server.Errors;

/// <summary>A request refused by the server itself (not by an importer), mapped to an HTTP error in one place.</summary>
public sealed class ApiException : Exception
{
    public ApiException(ApiError error, string message, JsonObject? details = null)
        : base(message)
    {
        Error = error;
        Details = details ?? [];
    }

    public ApiException()
        : this(ApiError.Internal, "The request failed.")
    {
    }

    public ApiException(string message)
        : this(ApiError.InvalidRequest, message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = ApiError.InvalidRequest;
        Details = [];
    }

    public ApiError Error { get; }

    public JsonObject Details { get; }

    public static ApiException Invalid(string message, JsonObject? details = null) => new(ApiError.InvalidRequest, message, details);

    /// <summary>A resource that does not exist, in Pulp's words: <c>{"resources": {"repository": "id"}}</c>.</summary>
    public static ApiException NotFound(string resourceType, string id) => new(
        ApiError.MissingResource,
        $"{resourceType} '{id}' does not exist",
        new JsonObject { ["resources"] = new JsonObject { [resourceType] = id } });

    public static ApiException Duplicate(string resourceType, string id) => new(
        ApiError.DuplicateResource,
        $"{resourceType} '{id}' already exists",
        new JsonObject { ["resource_id"] = id });

    public static ApiException TooLarge(string message, long limit) => new(
        ApiError.RequestTooLarge, message, new JsonObject { ["max_size"] = limit });
}
