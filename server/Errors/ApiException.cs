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
}
