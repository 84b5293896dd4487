using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Berth.Server.Health;
using Berth.Server.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Berth.Server.OpenApi;

/// <summary>
/// <c>GET /openapi/v1.json</c>: the OpenAPI 3.1 document of the content API, the user and token API and the health
/// probes, written by ASP.NET Core from the endpoints' own metadata, on first request. The registry API under
/// <c>/v2/</c> is described by the OCI distribution spec, and the test-only endpoints by nobody: both are left out
/// where they are mapped.
/// </summary>
public static class ApiDocument
{
    public const string Path = "/openapi/v1.json";

    private const string Name = "v1";

    public static IServiceCollection AddApiDocument(this IServiceCollection services)
    {
        // The generator reads the shapes through the HTTP JSON options: the same contexts and naming the endpoints
        // write with, so that the document names the fields as they are on the wire (snake_case). Numbers are written
        // as numbers and nulls only where a type says so; the web defaults would document "integer or string".
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            options.SerializerOptions.RespectNullableAnnotations = true;
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ContentApiJsonContext.Default);
            options.SerializerOptions.TypeInfoResolverChain.Insert(1, HealthJsonContext.Default);
        });
        services.AddOpenApi(Name, options => options.AddSchemaTransformer(OmittedWhenNullIsOptional).AddDocumentTransformer((document, context, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Berth content API",
                Version = "2",
                Description = "The content API (Pulp 2's shape, under /pulp/api/v2/), users and tokens, and the health probes. " +
                              "The registry API under /v2/ follows the OCI distribution specification.",
            };
            KeepTrailingSlashes(document, context.DescriptionGroups.SelectMany(g => g.Items).Select(d => $"/{d.RelativePath}"));
            return Task.CompletedTask;
        }));
        return services;
    }

    public static void MapApiDocument(this IEndpointRouteBuilder routes) => routes.MapOpenApi(Path);

    // A field written only when it has a value (JsonIgnoreCondition.WhenWritingNull) is not required, whatever the
    // constructor says.
    private static Task OmittedWhenNullIsOptional(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is null && schema.Required is { Count: > 0 } required)
        {
            foreach (var property in context.JsonTypeInfo.Properties.Where(OmittedWhenNull))
            {
                required.Remove(property.Name);
            }
        }

        return Task.CompletedTask;
    }

    private static bool OmittedWhenNull(JsonPropertyInfo property) =>
        property.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: true)
            .OfType<JsonIgnoreAttribute>()
            .Any(a => a.Condition == JsonIgnoreCondition.WhenWritingNull) == true;

    // The generator drops a route's trailing slash; the content API's addresses all end in one (Pulp's), and a client
    // should call them as they are mapped.
    private static void KeepTrailingSlashes(OpenApiDocument document, IEnumerable<string> routes)
    {
        foreach (var route in routes.Where(r => r.Length > 1 && r.EndsWith('/')).Distinct(StringComparer.Ordinal))
        {
            var trimmed = route.TrimEnd('/');
            if (document.Paths.Remove(trimmed, out var item))
            {
                document.Paths[route] = item;
            }
        }
    }
}
