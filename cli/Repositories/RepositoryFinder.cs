using System.Net;
using System.Text.Json.Nodes;
using Berth.Cli.Connection;
using Docker.Common.References;

namespace Berth.Cli.Repositories;

/// <summary>
/// Finds the repository a command names: by id first (what <c>--repo</c> always meant), then by registry name
/// through the content API's <c>?registry_name=</c> query. A repository that is not found is named as the user
/// typed it, never as it was encoded into a URL.
/// </summary>
public static class RepositoryFinder
{
    public static async Task<KnownRepository> FindAsync(BerthClient client, string named, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (string.IsNullOrWhiteSpace(named))
        {
            throw CliException.Usage("say which repository: its id or its registry name");
        }

        if (!named.Contains('/', StringComparison.Ordinal))
        {
            try
            {
                if (await client.FindAsync($"/repositories/{Uri.EscapeDataString(named)}/?importers=true", cancellationToken) is JsonObject byId)
                {
                    return From(named, byId);
                }
            }
            catch (ServerRefusedException e) when (e.Status == HttpStatusCode.Forbidden)
            {
                // The server answers 404 for a repository the caller may do nothing on, so a 403 means it exists and
                // the caller may act on it (push) without reading it: its importers are not theirs to see.
                return new KnownRepository(named, named, null, null);
            }
        }

        if (RegistryName.TryParse(named, out var name, out _))
        {
            var matches = await client.GetAsync($"/repositories/?importers=true&registry_name={Uri.EscapeDataString(name.Value)}", cancellationToken);

            // Matched again here: a server that does not know the query answers with every repository.
            if (matches.AsArray().OfType<JsonObject>().FirstOrDefault(r => r["registry_name"]?.GetValue<string>() == name.Value) is { } byName)
            {
                return From(named, byName);
            }
        }

        throw new CliException(
            ExitCode.Refused,
            $"repository {named} does not exist: no repository you may see has that id or registry name (berth repo list shows them)");
    }

    private static KnownRepository From(string named, JsonObject repository) => new(
        named,
        repository["id"]!.GetValue<string>(),
        repository["registry_name"]?.GetValue<string>(),
        [.. repository["importers"]?.AsArray().Select(i => i!["importer_type_id"]!.GetValue<string>()) ?? []]);
}
