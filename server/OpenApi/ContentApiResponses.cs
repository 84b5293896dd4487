using Berth.Server.Errors;

namespace Berth.Server.OpenApi;

/// <summary>
/// How an endpoint's failures are described in the OpenAPI document: the content API answers each in its one error
/// shape, <see cref="PulpError"/>.
/// </summary>
public static class ContentApiResponses
{
    /// <summary>The content API's error body for each status given.</summary>
    public static TBuilder ProducesContentApiErrors<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(statuses);
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(PulpError), ["application/json"]));
        }

        return builder;
    }

    /// <summary>An endpoint that checks who calls: not signed in (or wrongly), not allowed, too many failed sign-ins.</summary>
    public static TBuilder ProducesCallerErrors<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesContentApiErrors(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status429TooManyRequests);

    /// <summary>An endpoint that reads a JSON body: not JSON, not the fields it takes, larger than it accepts.</summary>
    public static TBuilder ProducesBodyErrors<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesContentApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge);

    /// <summary>An endpoint that names a resource in its path (a repository, a user, an upload).</summary>
    public static TBuilder ProducesNotFound<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesContentApiErrors(StatusCodes.Status404NotFound);
}
