using System.Security.Cryptography;
using System.Text;

namespace Berth.Tests.Hostile;

/// <summary>
/// What a refused request must leave as it was: every file in the data folder's content, uploads and temporary
/// folders (with its hash), and what the APIs show of repositories, units, importers, uploads, users, tokens and
/// tags. The database file itself is not compared, since reads may touch it; what it holds is seen through the APIs.
/// </summary>
public static class DataSnapshot
{
    private static readonly string[] Folders = ["content", "uploads", "tmp"];

    public static async Task<string> TakeAsync(string dataDir, HttpClient client, string repository, string registryName, string user)
    {
        ArgumentNullException.ThrowIfNull(client);
        var text = new StringBuilder();
        foreach (var folder in Folders)
        {
            var root = Path.Combine(dataDir, folder);
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                await using var stream = File.OpenRead(file);
                text.Append(Path.GetRelativePath(dataDir, file)).Append(' ')
                    .Append(Convert.ToHexStringLower(await SHA256.HashDataAsync(stream))).Append('\n');
            }
        }

        const string api = HostileCases.Api;
        string[] reads =
        [
            $"{api}/repositories/?details=true",
            $"{api}/repositories/{repository}/importers/",
            $"{api}/content/uploads/",
            $"{api}/users/",
            $"{api}/users/{user}/tokens/",
            $"{api}/users/admin/tokens/",
            $"/v2/{registryName}/tags/list",
            "/v2/_catalog",
        ];
        foreach (var read in reads)
        {
            text.Append(read).Append(' ').Append(await client.GetStringAsync(read)).Append('\n');
        }

        var search = await client.PostAsync(
            $"{api}/repositories/{repository}/search/units/", new StringContent("""{"criteria":{}}""", Encoding.UTF8, "application/json"));
        text.Append("units ").Append(await search.Content.ReadAsStringAsync()).Append('\n');
        return text.ToString();
    }
}
