using System.Text.Json.Nodes;
using Berth.Server.Configuration;
using Berth.Server.Registry;
using Berth.Server.Repositories;
using Docker.Common.References;
using Microsoft.Extensions.Options;

namespace Berth.Server.Access;

/// <summary>
/// The registry's token endpoint (<c>GET /token?service=…&amp;scope=…</c>), as docker, podman and skopeo use it
/// after a 401: Basic credentials (a password or an API token) or none; the answer is a short-lived signed token
/// granting, for each scope asked, only what the caller may do of what was asked.
/// </summary>
public static class TokenEndpoints
{
    public static void MapTokenEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(TokenChallenge.TokenPath, async (
            HttpContext context, AccessControl access, RepositoryService repositories, TokenSigner signer, TimeProvider clock, IOptions<BerthOptions> options) =>
        {
            var auth = options.Value.Auth;
            var caller = await access.CallerAsync(context);
            var service = context.Request.Query["service"].ToString();
            if (service.Length > 0 && service != auth.Service)
            {
                throw new RegistryException(RegistryError.RequestInvalid, $"this server issues tokens for service '{auth.Service}', not '{service}'");
            }

            var granted = new Dictionary<string, AccessAction>(StringComparer.Ordinal);
            var catalog = false;
            foreach (var text in context.Request.Query["scope"].SelectMany(s => (s ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            {
                if (!RegistryScope.TryParse(text, out var scope))
                {
                    throw new RegistryException(RegistryError.RequestInvalid, $"'{text}' is not a scope: use repository:NAME:pull,push");
                }

                if (scope.Type == RegistryScope.Registry)
                {
                    // Any signed-in caller may list the catalog: it shows only what they may pull.
                    catalog |= scope.Name == RegistryScope.Catalog.Name && caller.IsAuthenticated;
                    continue;
                }

                var allowed = await AllowedAsync(caller, scope, repositories, context.RequestAborted);
                if (allowed != AccessAction.None)
                {
                    granted[scope.Name] = granted.GetValueOrDefault(scope.Name) | allowed;
                }
            }

            var now = clock.GetUtcNow();
            var token = signer.Issue(caller.Login, auth.Service, new RegistryTokenAccess(granted, catalog), caller.CredentialId, now, auth.TokenLifetime);
            return Results.Json(
                new RegistryTokenResponse(token, token, (long)auth.TokenLifetime.TotalSeconds, now),
                Json.ContentApiJsonContext.Api.RegistryTokenResponse);
        })
            .WithTags("Tokens").WithName("issueRegistryToken")
            .WithSummary("A short-lived registry token for the scopes asked (docker's token flow); errors in the registry API's shape.")
            .Produces<RegistryTokenResponse>()
            .Produces<RegistryErrorBody>(StatusCodes.Status400BadRequest)
            .Produces<RegistryErrorBody>(StatusCodes.Status401Unauthorized)
            .Produces<RegistryErrorBody>(StatusCodes.Status429TooManyRequests);
    }

    private static async Task<AccessAction> AllowedAsync(Caller caller, RegistryScope scope, RepositoryService repositories, CancellationToken cancellationToken)
    {
        if (!RegistryName.TryParse(scope.Name, out var name, out var problem))
        {
            throw new RegistryException(RegistryError.NameInvalid, $"scope '{scope.Name}': {problem}", JsonValue.Create(scope.Name));
        }

        var repository = await repositories.FindByRegistryNameAsync(name, cancellationToken);
        return caller.AllowedOn(repository?.Id, name.Value, repository?.AnonymousPull ?? false) & scope.Actions;
    }
}
