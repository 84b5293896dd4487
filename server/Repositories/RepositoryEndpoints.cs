using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Criteria;
using Berth.Server.Errors;
using Berth.Server.Importers;
using Berth.Server.Json;
using Berth.Server.Membership;
using Berth.Server.OpenApi;
using Berth.Server.Plugins;
using Berth.Server.Tasks;
using Berth.Server.Units;
using Docker.Common.References;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Berth.Server.Repositories;

/// <summary>Create, list, show and delete repositories.</summary>
public static class RepositoryEndpoints
{
    public static void MapRepositoryEndpoints(this IEndpointRouteBuilder routes)
    {
        var repositories = routes.MapGroup($"{ContentApi.Root}/repositories").WithTags("Repositories").ProducesCallerErrors();

        repositories.MapPost("/", async (HttpContext context, RepositoryService service, ImporterService importers, AccessControl access, Audit audit, IOptions<BerthOptions> options) =>
        {
            await access.RequireSignedInAsync(context);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, context.RequestAborted);
            var command = CreateRepositoryCommand.Read(body);

            // Checked before anything is looked up, so that a refusal, or a name already taken, tells nothing about
            // repositories outside the caller's grants. Without a registry name, the id may become one: it is checked
            // as a name too.
            await access.RequireForNewRepositoryAsync(context, AccessAction.Admin, command.Id, command.RegistryName ?? command.IdAsRegistryName);
            var repository = await service.CreateAsync(
                command,
                id => command.ImporterTypeId is { } importer ? importers.PrepareNamed(id, importer, command.ImporterConfig ?? []) : [],
                context.RequestAborted);
            await audit.RecordAsync(context, "repository.create", repository.Id.Value, repository.RegistryName is { } name ? $"registry name {name}" : null);
            var created = RepositoryResponse.From(repository, new Dictionary<string, long>(), null);
            context.Response.Headers.Location = created.Href;
            return TypedResults.Json(created, ContentApiJsonContext.Api.RepositoryResponse, statusCode: StatusCodes.Status201Created);
        })
            .WithName("createRepository").WithSummary("Creates a repository, optionally under a registry name and with an importer (or a group of them) registered.")
            .Produces<RepositoryResponse>(StatusCodes.Status201Created)
            .ProducesBodyErrors()
            .ProducesContentApiErrors(StatusCodes.Status409Conflict);

        // ?registry_name=NAME narrows the list to the repository served under that name, if any: clients find a
        // repository by the name they push and pull it by.
        repositories.MapGet("/", async (
            HttpContext context, RepositoryService service, AccessControl access, IUnitStore units, IImporterRegistrationStore importers, PluginCatalog catalog,
            bool? details, [FromQuery(Name = "importers")] bool? withImporters, [FromQuery(Name = "distributors")] bool? withDistributors,
            [FromQuery(Name = "registry_name")] string? registryName, CancellationToken cancellationToken) =>
        {
            var caller = await access.RequireSignedInAsync(context);
            var candidates = registryName is null ? await service.ListAsync(cancellationToken) : await FindByRegistryNameAsync(service, registryName, cancellationToken);
            var list = new List<RepositoryResponse>();
            foreach (var repository in candidates.Where(r => caller.AllowedOn(r).HasFlag(AccessAction.Pull)))
            {
                list.Add(await DescribeAsync(repository, units, importers, catalog, Parts(details, withImporters, withDistributors), cancellationToken));
            }

            return TypedResults.Json(list, ContentApiJsonContext.Api.ListRepositoryResponse);
        })
            .WithName("listRepositories").WithSummary("The repositories the caller may pull from; ?registry_name= finds one by its registry name.")
            .Produces<List<RepositoryResponse>>()
            .ProducesContentApiErrors(StatusCodes.Status400BadRequest);

        // Pulp 2's repository search: criteria over the repositories the caller may pull from, each as the list shows it.
        repositories.MapPost("/search/", async (
            HttpContext context, RepositoryService service, AccessControl access, IUnitStore units, IImporterRegistrationStore importers, PluginCatalog catalog,
            IOptions<BerthOptions> options, CancellationToken cancellationToken) =>
        {
            var caller = await access.RequireSignedInAsync(context);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, cancellationToken);
            RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "criteria", "details", "importers", "distributors");
            var criteria = SearchCriteria.Read(RequestFields.OptionalObject(body, "criteria", "request", ContentError.InvalidRequest), FieldCatalog.FreeForm);
            var parts = Parts(
                RequestFields.OptionalBoolean(body, "details", "request", ContentError.InvalidRequest),
                RequestFields.OptionalBoolean(body, "importers", "request", ContentError.InvalidRequest),
                RequestFields.OptionalBoolean(body, "distributors", "request", ContentError.InvalidRequest));
            return await SearchAsync(caller, service, units, importers, catalog, criteria, parts, cancellationToken);
        })
            .WithName("searchRepositories").WithSummary("The repositories the caller may pull from that a Pulp 2 criteria chooses, with importers and distributors when asked.")
            .Produces<JsonArray>()
            .ProducesBodyErrors();

        repositories.MapGet("/search/", async (
            HttpContext context, RepositoryService service, AccessControl access, IUnitStore units, IImporterRegistrationStore importers, PluginCatalog catalog,
            bool? details, [FromQuery(Name = "importers")] bool? withImporters, [FromQuery(Name = "distributors")] bool? withDistributors, CancellationToken cancellationToken) =>
            await SearchAsync(
                await access.RequireSignedInAsync(context), service, units, importers, catalog, SearchCriteria.All, Parts(details, withImporters, withDistributors), cancellationToken))
            .WithName("searchRepositoriesWithoutCriteria").WithSummary("Every repository the caller may pull from, as Pulp 2's search answers without criteria.")
            .Produces<JsonArray>();

        repositories.MapGet("/{repo}/", async (
            string repo, HttpContext context, RepositoryService service, AccessControl access, IUnitStore units, IImporterRegistrationStore importers, PluginCatalog catalog,
            bool? details, [FromQuery(Name = "importers")] bool? withImporters, [FromQuery(Name = "distributors")] bool? withDistributors, CancellationToken cancellationToken) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Pull);
            return TypedResults.Json(
                await DescribeAsync(repository, units, importers, catalog, Parts(details, withImporters, withDistributors), cancellationToken),
                ContentApiJsonContext.Api.RepositoryResponse);
        })
            .WithName("getRepository").WithSummary("One repository, with its unit counts (?importers=true, ?distributors=true, or both with ?details=true).")
            .Produces<RepositoryResponse>()
            .ProducesNotFound();

        repositories.MapPut("/{repo}/", async (
            string repo, HttpContext context, RepositoryUpdate update, IUnitStore units, IImporterRegistrationStore importers, PluginCatalog catalog,
            IOptions<BerthOptions> options, CancellationToken cancellationToken) =>
        {
            var current = await update.RequireAsync(context, repo);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, cancellationToken);
            var repository = await update.ApplyAsync(context, current, body, cancellationToken);

            // As Pulp 2 answers: a call report whose result is the repository.
            return TypedResults.Json(
                new Imports.CallReport<RepositoryResponse>(await DescribeAsync(repository, units, importers, catalog, default, cancellationToken)),
                ContentApiJsonContext.Api.CallReportRepositoryResponse);
        })
            .WithName("updateRepository")
            .WithSummary("Changes a repository's display name, description, registry name or anonymous pull (delta), and its importers' configs (importer_config); answers a call report.")
            .Produces<Imports.CallReport<RepositoryResponse>>()
            .ProducesNotFound()
            .ProducesBodyErrors()
            .ProducesContentApiErrors(StatusCodes.Status409Conflict);

        repositories.MapDelete("/{repo}/", async (
            string repo, HttpContext context, MembershipService membership, AccessControl access, TaskRunner tasks, CancellationToken cancellationToken) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Admin);
            var call = tasks.Begin(repository.Id, TaskKind.RepositoryDelete);
            if (!await membership.DeleteRepositoryAsync(repository.Id, cancellationToken))
            {
                throw new NotFoundException("repository", repo);
            }

            return await call.AnswerAsync();
        })
            .WithName("deleteRepository").WithSummary("Deletes a repository; its units it alone held become orphans. 202 with the task, already finished.")
            .Produces<TaskCallReport>(StatusCodes.Status202Accepted)
            .ProducesNotFound();
    }

    private static async Task<IReadOnlyList<Repository>> FindByRegistryNameAsync(RepositoryService service, string text, CancellationToken cancellationToken)
    {
        if (!RegistryName.TryParse(text, out var name, out var problem))
        {
            throw new ApiException(ApiError.InvalidRequest, $"registry_name: {problem}", new JsonObject { ["registry_name"] = text });
        }

        return await service.FindByRegistryNameAsync(name, cancellationToken) is { } repository ? [repository] : [];
    }

    // As Pulp 2: ?details=true is ?importers=true&distributors=true.
    private static async Task<IResult> SearchAsync(
        Caller caller, RepositoryService service, IUnitStore units, IImporterRegistrationStore importers, PluginCatalog catalog,
        SearchCriteria criteria, (bool Importers, bool Distributors) parts, CancellationToken cancellationToken)
    {
        // Repositories are tested as the list shows them (id, display_name, description, notes, registry_name, ...);
        // only those chosen are described with their counts and importers.
        var visible = (await service.ListAsync(cancellationToken))
            .Where(r => caller.AllowedOn(r).HasFlag(AccessAction.Pull))
            .Select(r => (Repository: r, Fields: new JsonFieldValues(Shown(RepositoryResponse.From(r, new Dictionary<string, long>(), null)))))
            .ToList();
        var found = new JsonArray();
        foreach (var (repository, _) in criteria.Page(visible, v => v.Fields))
        {
            found.Add(criteria.Shape(Shown(await DescribeAsync(repository, units, importers, catalog, parts, cancellationToken)), "id", "_href"));
        }

        return TypedResults.Json(found, ContentApiJsonContext.Api.JsonArray);
    }

    private static JsonObject Shown(RepositoryResponse response) =>
        JsonSerializer.SerializeToNode(response, ContentApiJsonContext.Api.RepositoryResponse)!.AsObject();

    private static (bool Importers, bool Distributors) Parts(bool? details, bool? importers, bool? distributors) =>
        (details == true || importers == true, details == true || distributors == true);

    private static async Task<RepositoryResponse> DescribeAsync(
        Repository repository, IUnitStore units, IImporterRegistrationStore importers, PluginCatalog catalog, (bool Importers, bool Distributors) parts, CancellationToken cancellationToken)
    {
        var counts = await units.CountByTypeAsync(repository.Id, cancellationToken);
        var registered = parts.Importers ? await importers.ListAsync(repository.Id, cancellationToken) : null;
        return RepositoryResponse.From(repository, counts, await units.LastAddedAsync(repository.Id, cancellationToken), registered?.Select(r => ImporterResponse.From(r, catalog)).ToList()) with
        {
            // Berth has no distributors (the registry API serves every repository), so a client that asks for them finds none.
            Distributors = parts.Distributors ? [] : null,
        };
    }
}
