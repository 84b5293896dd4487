using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Configuration;
using Berth.Server.Criteria;
using Berth.Server.Errors;
using Berth.Server.Imports;
using Berth.Server.Json;
using Berth.Server.OpenApi;
using Microsoft.Extensions.Options;

namespace Berth.Server.Access;

/// <summary>Users, their grants and API tokens, under <c>/pulp/api/v2/users/</c>.</summary>
public static class UserEndpoints
{
    public static void MapUserEndpoints(this IEndpointRouteBuilder routes)
    {
        var users = routes.MapGroup($"{ContentApi.Root}/users").WithTags("Users").ProducesCallerErrors();

        // Every handler checks who the caller is, and that they may, before it reads a body: refusing an anonymous
        // or unauthorised body must not cost the server the time and memory of reading it.
        users.MapPost("/", async (HttpContext context, UserService service, AccessControl access, IOptions<BerthOptions> options) =>
        {
            await access.RequireAdministratorAsync(context);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, context.RequestAborted);
            var user = await service.CreateAsync(context, body);
            return TypedResults.Json(UserResponse.From(user), ContentApiJsonContext.Api.UserResponse, statusCode: StatusCodes.Status201Created);
        })
            .WithName("createUser").WithSummary("Creates a user, with their password and grants (administrators).")
            .Produces<UserResponse>(StatusCodes.Status201Created)
            .ProducesBodyErrors()
            .ProducesContentApiErrors(StatusCodes.Status409Conflict);

        // Pulp 2 answers a login with a certificate and key for the client to present; Berth has none to give.
        routes.MapPost($"{ContentApi.Root}/actions/login/", async (HttpContext context, AccessControl access) =>
        {
            var caller = await access.RequireSignedInAsync(context);
            throw ApiException.Invalid(
                "Berth issues no login certificates: every request signs in with Basic authentication, a password or an API token as the password. " +
                $"To get a token: POST /pulp/api/v2/users/{caller.Login}/tokens/ {{\"name\": \"...\"}}; it is shown once");
        })
            .WithTags("Users").WithName("login").WithSummary("Pulp 2's login: refused, saying how Berth signs in instead (API tokens).")
            .ProducesCallerErrors()
            .ProducesContentApiErrors(StatusCodes.Status400BadRequest);

        users.MapGet("/", async (HttpContext context, UserService service) =>
            TypedResults.Json((await service.ListAsync(context)).Select(UserResponse.From).ToList(), ContentApiJsonContext.Api.ListUserResponse))
            .WithName("listUsers").WithSummary("The users (administrators), or the caller alone.")
            .Produces<List<UserResponse>>();

        users.MapPost("/search/", async (HttpContext context, UserService service, IOptions<BerthOptions> options) =>
        {
            var found = await service.ListAsync(context);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, context.RequestAborted);
            RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "criteria");
            var criteria = SearchCriteria.Read(RequestFields.OptionalObject(body, "criteria", "request", ContentError.InvalidRequest), UserSearch.Catalog);
            return TypedResults.Json(UserSearch.Find(found, criteria), ContentApiJsonContext.Api.JsonArray);
        })
            .WithName("searchUsers").WithSummary("The users a Pulp 2 criteria chooses (administrators).")
            .Produces<JsonArray>()
            .ProducesBodyErrors();

        users.MapGet("/search/", async (HttpContext context, UserService service) =>
            TypedResults.Json(UserSearch.Find(await service.ListAsync(context), SearchCriteria.All), ContentApiJsonContext.Api.JsonArray))
            .WithName("searchUsersWithoutCriteria").WithSummary("Every user, as Pulp 2's search answers without criteria (administrators).")
            .Produces<JsonArray>();

        users.MapGet("/{login}/", async (string login, HttpContext context, UserService service) =>
            TypedResults.Json(UserResponse.From(await service.GetAsync(context, login)), ContentApiJsonContext.Api.UserResponse))
            .WithName("getUser").WithSummary("One user: the caller, or anyone for administrators.")
            .Produces<UserResponse>()
            .ProducesNotFound();

        users.MapPut("/{login}/", async (string login, HttpContext context, UserService service, IOptions<BerthOptions> options) =>
        {
            var account = await service.RequireAccountAsync(context, login);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, context.RequestAborted);
            return TypedResults.Json(UserResponse.From(await service.UpdateAsync(context, account, body)), ContentApiJsonContext.Api.UserResponse);
        })
            .WithName("updateUser").WithSummary("Changes a user's password, grants or role.")
            .Produces<UserResponse>()
            .ProducesNotFound()
            .ProducesBodyErrors()
            .ProducesContentApiErrors(StatusCodes.Status409Conflict);

        users.MapDelete("/{login}/", async (string login, HttpContext context, UserService service) =>
        {
            await service.DeleteAsync(context, login);
            return TypedResults.Json(CallReport.Done, ContentApiJsonContext.Api.CallReportObject);
        })
            .WithName("deleteUser").WithSummary("Deletes a user and their tokens (administrators).")
            .Produces<CallReport<object?>>()
            .ProducesNotFound()
            .ProducesContentApiErrors(StatusCodes.Status409Conflict);

        users.MapPost("/{login}/tokens/", async (string login, HttpContext context, UserService service, IOptions<BerthOptions> options) =>
        {
            var account = await service.RequireAccountAsync(context, login);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, context.RequestAborted);
            var (token, secret) = await service.CreateTokenAsync(context, account, body);
            var described = ApiTokenResponse.From(token);
            return TypedResults.Json(
                new ApiTokenCreatedResponse(token.Id, token.Name, secret, token.Expires, described.Scope, token.Account, described.Href),
                ContentApiJsonContext.Api.ApiTokenCreatedResponse,
                statusCode: StatusCodes.Status201Created);
        })
            .WithTags("Tokens").WithName("createApiToken").WithSummary("Creates an API token for a user; its secret is shown once.")
            .Produces<ApiTokenCreatedResponse>(StatusCodes.Status201Created)
            .ProducesNotFound()
            .ProducesBodyErrors();

        users.MapGet("/{login}/tokens/", async (string login, HttpContext context, UserService service) =>
            TypedResults.Json((await service.ListTokensAsync(context, login)).Select(ApiTokenResponse.From).ToList(), ContentApiJsonContext.Api.ListApiTokenResponse))
            .WithTags("Tokens").WithName("listApiTokens").WithSummary("A user's API tokens, without their secrets.")
            .Produces<List<ApiTokenResponse>>()
            .ProducesNotFound();

        users.MapDelete("/{login}/tokens/{id}/", async (string login, string id, HttpContext context, UserService service) =>
        {
            await service.RevokeTokenAsync(context, login, id);
            return TypedResults.Json(CallReport.Done, ContentApiJsonContext.Api.CallReportObject);
        })
            .WithTags("Tokens").WithName("revokeApiToken").WithSummary("Revokes one of a user's API tokens.")
            .Produces<CallReport<object?>>()
            .ProducesNotFound();
    }
}
