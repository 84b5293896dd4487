using System.Runtime.Loader;
using Berth.Plugins;
using Berth.Server.Errors;
using Berth.Server.Importers;
using Berth.Server.Plugins;
using Berth.Server.Repositories;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Plugins;

public sealed class ImporterPluginLoaderTests
{
    private static readonly string BaseDirectory = AppContext.BaseDirectory;
    private TempFolder _folder = null!;

    [SetUp]
    public void SetUp() => _folder = new TempFolder();

    [TearDown]
    public void TearDown() => _folder.Dispose();

    private string Conf(string name, string json)
    {
        var path = _folder.Combine(name);
        File.WriteAllText(path, json);
        return path;
    }

    private PluginLoadException LoadFails() =>
        Assert.Throws<PluginLoadException>(() => ImporterPluginLoader.LoadAll(_folder.Path, BaseDirectory))!;

    [Test]
    public void DefaultConfFolder_LoadsTheDockerImportersByTypeId()
    {
        var importers = ImporterPluginLoader.LoadAll(Path.Combine(BaseDirectory, "plugins.conf.d"), BaseDirectory);
        var catalog = new PluginCatalog(importers);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(importers.Select(i => i.Id), Is.EquivalentTo(new[] { "docker_blob_importer", "docker_manifest_importer", "docker_sync_importer" }));
            Assert.That(catalog.FindImporter("docker_sync_importer")!.Importer, Is.InstanceOf<Berth.Plugins.ISyncImporter>());
            Assert.That(catalog.FindImporter("docker_sync_importer")!.Metadata.SecretConfigKeys, Is.EquivalentTo(new[] { "password", "token", "basic_auth_password" }));
            Assert.That(catalog.FindImporter("docker_blob_importer")!.Metadata.Types.Select(t => t.Id), Is.EqualTo(new[] { "docker_blob" }));
            Assert.That(
                catalog.FindImporter("docker_manifest_importer")!.Metadata.Types.Select(t => t.Id),
                Is.EqualTo(new[] { "docker_manifest", "docker_manifest_list", "docker_tag" }));
            Assert.That(catalog.FindImporter("docker_manifest_importer")!.DefaultConfig["max_manifest_bytes"]!.GetValue<long>(), Is.EqualTo(4 * 1024 * 1024));
            Assert.That(catalog.FindImportersNamed("docker_importer").Select(i => i.Id), Is.EquivalentTo(new[] { "docker_blob_importer", "docker_manifest_importer", "docker_sync_importer" }));
            Assert.That(catalog.FindImportersNamed("docker_blob_importer").Select(i => i.Id), Is.EqualTo(new[] { "docker_blob_importer" }));
            Assert.That(catalog.FindImportersNamed("yum_importer"), Is.Empty);
        }
    }

    [Test]
    public void AGroupNamedLikeAnImporter_StopsLoading()
    {
        Conf("a.json", """{"type_id": "docker_blob_importer", "assembly": "plugins/Docker.BlobImporter/Docker.BlobImporter.dll", "groups": ["docker_manifest_importer"]}""");
        Conf("b.json", """{"type_id": "docker_manifest_importer", "assembly": "plugins/Docker.ManifestImporter/Docker.ManifestImporter.dll"}""");
        Assert.That(LoadFails().Message, Does.Contain("a.json").And.Contain("groups name docker_manifest_importer, which is an importer's type id"));
    }

    [Test]
    public void Plugins_LoadInTheirOwnContext_SharingOnlyTheContract()
    {
        var importer = ImporterPluginLoader.LoadAll(Path.Combine(BaseDirectory, "plugins.conf.d"), BaseDirectory)[0].Importer;
        var pluginContext = AssemblyLoadContext.GetLoadContext(importer.GetType().Assembly);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pluginContext, Is.Not.SameAs(AssemblyLoadContext.Default));
            Assert.That(importer, Is.InstanceOf<IImporter>(), "the plugin's IImporter must be the server's");
            Assert.That(AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == "Berth.Plugins").Select(AssemblyLoadContext.GetLoadContext).Distinct().Count(), Is.EqualTo(1));
        }
    }

    [Test]
    public void AnotherPluginAssembly_IsFoundByItsTypeId()
    {
        Conf("marking.json", """{"type_id": "marking_blob_importer", "assembly": "plugins/Berth.TestImporters/Berth.TestImporters.dll", "default_config": {"mark": "x"}}""");
        var loaded = ImporterPluginLoader.LoadAll(_folder.Path, BaseDirectory).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(loaded.Id, Is.EqualTo("marking_blob_importer"));
            Assert.That(loaded.Handles("docker_blob"), Is.True);
            Assert.That(loaded.Conf.File, Is.EqualTo(_folder.Combine("marking.json")));
        }
    }

    [Test]
    public void TwoImportersOfOneUnitType_BothLoad()
    {
        Conf("a.json", """{"type_id": "docker_blob_importer", "assembly": "plugins/Docker.BlobImporter/Docker.BlobImporter.dll"}""");
        Conf("b.json", """{"type_id": "marking_blob_importer", "assembly": "plugins/Berth.TestImporters/Berth.TestImporters.dll"}""");
        var catalog = new PluginCatalog(ImporterPluginLoader.LoadAll(_folder.Path, BaseDirectory));
        Assert.That(catalog.ImportersOfType("docker_blob").Select(i => i.Id), Is.EquivalentTo(new[] { "docker_blob_importer", "marking_blob_importer" }));
    }

    [Test]
    public void AGroupOfImportersOfOneUnitType_IsRefusedWhenRegistered()
    {
        Conf("a.json", """{"type_id": "docker_blob_importer", "assembly": "plugins/Docker.BlobImporter/Docker.BlobImporter.dll", "groups": ["blobs"]}""");
        Conf("b.json", """{"type_id": "marking_blob_importer", "assembly": "plugins/Berth.TestImporters/Berth.TestImporters.dll", "groups": ["blobs"]}""");
        var catalog = new PluginCatalog(ImporterPluginLoader.LoadAll(_folder.Path, BaseDirectory));
        Assert.That(RepositoryId.TryParse("repo", out var repository, out _), Is.True);

        // The check needs no stored registration: a group whose members claim one unit type can never be registered.
        var refusal = Assert.Throws<ApiException>(() => new ImporterService(null!, catalog, TimeProvider.System).PrepareNamed(repository, "blobs", []))!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(refusal.Error, Is.EqualTo(ApiError.ImporterTypesConflict));
            Assert.That(refusal.Message, Does.Contain("docker_blob_importer, marking_blob_importer").And.Contain("docker_blob"));
        }
    }

    [TestCase("{ not json", "not valid JSON")]
    [TestCase("[]", "must hold a JSON object")]
    [TestCase("""{"assembly": "plugins/Docker.BlobImporter/Docker.BlobImporter.dll"}""", "\"type_id\" is required")]
    [TestCase("""{"type_id": 7, "assembly": "plugins/Docker.BlobImporter/Docker.BlobImporter.dll"}""", "\"type_id\" is required and must be a non-empty string")]
    [TestCase("""{"type_id": "docker_blob_importer"}""", "\"assembly\" is required")]
    [TestCase("""{"type_id": "docker_blob_importer", "assembly": "plugins/Nope/Nope.dll"}""", "does not exist")]
    [TestCase("""{"type_id": "no_such_importer", "assembly": "plugins/Docker.BlobImporter/Docker.BlobImporter.dll"}""", "has no importer with type id no_such_importer (importers found: docker_blob_importer)")]
    [TestCase("""{"type_id": "docker_blob_importer", "assembly": "plugins/Docker.BlobImporter/Docker.BlobImporter.dll", "default_config": []}""", "default_config must be a JSON object")]
    [TestCase("""{"type_id": "docker_blob_importer", "assembly": "plugins/Docker.BlobImporter/Docker.BlobImporter.dll", "default_config": {"colour": "red"}}""", "default_config is not valid for docker_blob_importer")]
    [TestCase("""{"type_id": "docker_manifest_importer", "assembly": "plugins/Docker.ManifestImporter/Docker.ManifestImporter.dll", "default_config": {"max_manifest_bytes": "big"}}""", "max_manifest_bytes must be a positive integer")]
    [TestCase("""{"type_id": "docker_blob_importer", "assembly": "plugins/Docker.BlobImporter/Docker.BlobImporter.dll", "typo": 1}""", "unknown field typo")]
    [TestCase("""{"type_id": "docker_blob_importer", "assembly": "plugins/Docker.BlobImporter/Docker.BlobImporter.dll", "groups": "docker_importer"}""", "groups must be a list of non-empty strings")]
    [TestCase("""{"type_id": "docker_blob_importer", "assembly": "plugins/Docker.BlobImporter/Docker.BlobImporter.dll", "groups": [""]}""", "groups must be a list of non-empty strings")]
    [TestCase("""{"type_id": "docker_blob_importer", "assembly": "plugins/Docker.BlobImporter/Docker.BlobImporter.dll", "groups": ["docker_blob_importer"]}""", "groups must not name the importer's own type id")]
    [TestCase("""{"type_id": "docker_blob_importer", "type_id": "x", "assembly": "plugins/Docker.BlobImporter/Docker.BlobImporter.dll"}""", "not valid JSON")]
    public void BrokenConfFile_StopsLoadingNamingTheFileAndReason(string json, string reason)
    {
        var path = Conf("broken.json", json);
        var failure = LoadFails();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failure.File, Is.EqualTo(path));
            Assert.That(failure.Message, Does.Contain(path));
            Assert.That(failure.Message, Does.Contain(reason));
        }
    }

    [Test]
    public void AssemblyThatIsNotDotNet_StopsLoadingNamingTheFile()
    {
        var garbage = _folder.Combine("Garbage.dll");
        File.WriteAllText(garbage, "this is not an assembly");
        Conf("garbage.json", $$"""{"type_id": "x", "assembly": "{{garbage}}"}""");
        Assert.That(LoadFails().Message, Does.Contain("garbage.json").And.Contain("cannot load"));
    }

    [Test]
    public void SameTypeIdInTwoFiles_StopsLoading()
    {
        Conf("a.json", """{"type_id": "docker_blob_importer", "assembly": "plugins/Docker.BlobImporter/Docker.BlobImporter.dll"}""");
        Conf("b.json", """{"type_id": "docker_blob_importer", "assembly": "plugins/Docker.BlobImporter/Docker.BlobImporter.dll"}""");
        Assert.That(LoadFails().Message, Does.Contain("b.json").And.Contain("already loaded from").And.Contain("a.json"));
    }

    [Test]
    public void EmptyFolder_StopsLoading() =>
        Assert.That(LoadFails().Message, Does.Contain("no plugin files"));

    [Test]
    public void MissingFolder_StopsLoading() =>
        Assert.That(
            () => ImporterPluginLoader.LoadAll(_folder.Combine("absent"), BaseDirectory),
            Throws.TypeOf<PluginLoadException>().With.Message.Contains("does not exist"));
}
