using System.Text;
using Berth.Tests.Support;

namespace Berth.Tests.Hostile;

/// <summary>
/// Finding 5 of the penetration test (issue 18): sizes a client chooses must meet a ceiling the server owns before
/// they cost memory. The fixture runs with the ceilings below lowered, so that each can be passed by a case within
/// its upload limit; every case gets its 4xx in its API's shape and leaves nothing behind.
/// </summary>
public static partial class HostileCases
{
    public const int MaxDocumentBytes = 48 * 1024;
    public const int MaxDocumentReferences = 100;
    public const int MaxArchiveEntries = 64;
    public const int MaxArchiveHeaderBytes = 4096;

    private const string TooLargeImport = "BRT0107";
    private const string ManifestInvalid = "BRT0108";
    private const string BlobUnknown = "BRT0109";
    private const string OciManifest = "Content-Type: application/vnd.oci.image.manifest.v1+json";
    private const string OciIndex = "Content-Type: application/vnd.oci.image.index.v1+json";

    private static IEnumerable<HostileCase> MemoryCases()
    {
        var import = Api + "/repositories/{repo}/actions/import_upload/";
        const string manifestImport = """{"upload_id":"{case_upload}","unit_type_id":"docker_manifest","unit_key":{}}""";
        const string listImport = """{"upload_id":"{case_upload}","unit_type_id":"docker_manifest_list","unit_key":{}}""";
        var aboveCeiling = Padded(MaxDocumentBytes + 1);
        var tooManyLayers = LargeDocuments.ManifestWithMissingLayers(MaxDocumentReferences + 1);
        var tooManyManifests = LargeDocuments.IndexWithMissingManifests(MaxDocumentReferences + 1);
        var manifest = Encoding.UTF8.GetString(LargeDocuments.ManifestWithMissingLayers(1));

        HostileCase Import(string name, byte[] upload, string code, int status = PulpBadRequest, string body = manifestImport) =>
            Pulp("memory: " + name, "POST", import, code, status) with { Body = body, Upload = upload };

        return
        [
            Import(
                "override_config raising max_manifest_bytes past the server's ceiling",
                aboveCeiling,
                TooLargeImport,
                413,
                """{"upload_id":"{case_upload}","unit_type_id":"docker_manifest","unit_key":{},"override_config":{"max_manifest_bytes":2000000000}}"""),
            Import("manifest above the server's ceiling", aboveCeiling, TooLargeImport, 413),
            Import("manifest with more layers than the cap", tooManyLayers, ManifestInvalid),
            Import("index with more manifests than the cap", tooManyManifests, ManifestInvalid, body: listImport),
            Import("manifest naming as many missing layers as the cap allows", LargeDocuments.ManifestWithMissingLayers(MaxDocumentReferences), BlobUnknown),
            Import("tar whose manifest.json header claims 3 GB", RawTar.SkopeoDir().Entry("manifest.json", '0', 3L << 30, Encoding.UTF8.GetBytes(manifest)).ToArray(), ManifestInvalid),
            Import("tar whose PAX header claims 1 GiB", RawTar.SkopeoDir().Entry("PaxHeaders/manifest.json", 'x', 1L << 30, new byte[512]).ToArray(), ManifestInvalid),
            Import("tar whose PAX header is over the header ceiling", RawTar.SkopeoDir().Pax(("path", new string('a', MaxArchiveHeaderBytes))).File("manifest.json", manifest).ToArray(), ManifestInvalid),
            Import("tar whose GNU long name claims 1 GiB", RawTar.SkopeoDir().Entry("././@LongLink", 'L', 1L << 30, new byte[512]).ToArray(), ManifestInvalid),
            Import("tar whose PAX size record claims 3 GB", RawTar.SkopeoDir().Pax(("size", (3L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture))).File("manifest.json", manifest).ToArray(), ManifestInvalid),
            Import("tar truncated inside manifest.json", RawTar.SkopeoDir().Entry("manifest.json", '0', 4000, Encoding.UTF8.GetBytes(manifest)).ToArrayUnterminated(), ManifestInvalid),
            Import("tar truncated inside a header", [.. RawTar.SkopeoDir().ToArrayUnterminated(), .. RawTar.Header("manifest.json", '0', 10)[..300]], ManifestInvalid),
            Import("tar with more entries than the cap", ManyEntries(MaxArchiveEntries + 1), ManifestInvalid),
            Import("tar whose header fails its checksum", RawTar.SkopeoDir().Entry("manifest.json", '0', manifest.Length, Encoding.UTF8.GetBytes(manifest), h => h[0] ^= 1).ToArray(), ManifestInvalid),
            Import("tar whose size is not octal", RawTar.SkopeoDir().Entry("manifest.json", '0', manifest.Length, Encoding.UTF8.GetBytes(manifest), NotOctal).ToArray(), ManifestInvalid),
            Import("tar whose checksum has its high bit set", RawTar.SkopeoDir().Entry("manifest.json", '0', manifest.Length, Encoding.UTF8.GetBytes(manifest), h => h[148] = 0x80).ToArray(), ManifestInvalid),
            Import("tar whose base-256 size claims 1 TiB", RawTar.SkopeoDir().Entry("manifest.json", '0', 0, Encoding.UTF8.GetBytes(manifest), h => Base256Size(h, 0x80, 1L << 40)).ToArray(), ManifestInvalid),
            Import("tar whose base-256 size is negative", RawTar.SkopeoDir().Entry("manifest.json", '0', 0, Encoding.UTF8.GetBytes(manifest), h => Base256Size(h, 0xFF, -1)).ToArray(), ManifestInvalid),
            Import("tar whose manifest.json is above the server's ceiling", RawTar.SkopeoDir().File("manifest.json", aboveCeiling).ToArray(), TooLargeImport, 413),
            Import("tar with manifest.json twice", RawTar.SkopeoDir().File("manifest.json", manifest).File("./manifest.json", manifest).ToArray(), ManifestInvalid),
            Import("tar with a 2 KiB version file", new RawTar().File("version", new string('v', 2048)).File("manifest.json", manifest).ToArray(), ManifestInvalid),
            Import("tar with a GNU sparse file", RawTar.SkopeoDir().Entry("manifest.json", 'S', 0).ToArray(), ManifestInvalid),
            Oci("memory: push above the server's ceiling", "PUT", "/v2/{name}/manifests/hostile", "SIZE_INVALID", 413) with { Bytes = aboveCeiling, Headers = [OciManifest] },
            Oci("memory: push with more layers than the cap", "PUT", "/v2/{name}/manifests/hostile", "MANIFEST_INVALID") with { Bytes = tooManyLayers, Headers = [OciManifest] },
            Oci("memory: push of an index with more manifests than the cap", "PUT", "/v2/{name}/manifests/hostile", "MANIFEST_INVALID") with { Bytes = tooManyManifests, Headers = [OciIndex] },
            Oci("memory: push naming as many missing layers as the cap allows", "PUT", "/v2/{name}/manifests/hostile", "MANIFEST_BLOB_UNKNOWN") with
            {
                Bytes = LargeDocuments.ManifestWithMissingLayers(MaxDocumentReferences),
                Headers = [OciManifest],
            },
            Oci("memory: push whose layer media type is 40 KB", "PUT", "/v2/{name}/manifests/hostile", "MANIFEST_INVALID") with
            {
                // (The writer escapes the '+' of the type's suffix, so the part before it is replaced.)
                Body = manifest.Replace("application/vnd.oci.image.layer.v1.tar", new string('m', 40_000), StringComparison.Ordinal),
                Headers = [OciManifest],
            },
        ];
    }

    /// <summary>A manifest of exactly <paramref name="size"/> bytes, padded in an annotation.</summary>
    private static byte[] Padded(int size) => LargeDocuments.PaddedManifest(TestBlob.Config(), TestBlob.Random(16), size, salt: "hostile");

    /// <summary>A skopeo dir: tar of <paramref name="entries"/> entries, the rest empty files.</summary>
    private static byte[] ManyEntries(int entries)
    {
        var tar = RawTar.SkopeoDir().File("manifest.json", "{}");
        for (var i = 2; i < entries; i++)
        {
            tar.File($"empty-{i}", []);
        }

        return tar.ToArray();
    }

    /// <summary>GNU's base-256 size: the first byte's top bit set, the value big-endian in the last eight bytes.</summary>
    private static void Base256Size(byte[] header, byte first, long value)
    {
        header.AsSpan(124, 12).Fill(first == 0xFF ? (byte)0xFF : (byte)0);
        header[124] = first;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(128, 8), value);
        RawTar.Checksum(header);
    }

    private static void NotOctal(byte[] header)
    {
        header[124] = (byte)'9';
        RawTar.Checksum(header);
    }
}
