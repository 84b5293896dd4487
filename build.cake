// Berth's build script: `dotnet tool restore` once, then `dotnet cake --target=<Clean|Build|Test|Publish>`.
// The README's plain dotnet commands do the same work; this script adds a clean publish layout.

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var solution = "./Berth.slnx";
var artifacts = Directory("./artifacts");

Task("Clean")
    .Does(() =>
{
    CleanDirectory(artifacts);
    DotNetClean(solution, new DotNetCleanSettings { Configuration = configuration });
});

Task("Build")
    .Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings { Configuration = configuration });
});

Task("Test")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetTest(solution, new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        Loggers = { "trx" },
        ResultsDirectory = artifacts + Directory("test-results"),
    });
});

// The server with its plugins under plugins/ and their files under plugins.conf.d/, ready to run with
// `dotnet artifacts/server/Berth.Server.dll`.
Task("Publish")
    .IsDependentOn("Clean")
    .Does(() =>
{
    var output = artifacts + Directory("server");
    DotNetPublish("./server/Berth.Server.csproj", new DotNetPublishSettings
    {
        Configuration = configuration,
        OutputDirectory = output,
    });

    foreach (var required in new[] { "plugins.conf.d/docker_blob_importer.json", "plugins.conf.d/docker_manifest_importer.json", "plugins.conf.d/docker_sync_importer.json",
                                     "plugins/Docker.BlobImporter/Docker.BlobImporter.dll", "plugins/Docker.ManifestImporter/Docker.ManifestImporter.dll",
                                     "plugins/Docker.SyncImporter/Docker.SyncImporter.dll" })
    {
        if (!FileExists(output + File(required)))
        {
            throw new CakeException($"The published server lacks {required}.");
        }
    }

    Information("Published to {0}", output);
});

RunTarget(target);
