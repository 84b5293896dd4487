using System.Text.Json;
using Docker.Common.Digests;

namespace Docker.Common.Manifests;

/// <summary>Walks one parsed document, collecting problems as it builds the model.</summary>
internal sealed class ManifestReader(int maxReferences)
{
    private const int MaxProblems = 20;
    private readonly List<string> _problems = [];

    public Manifest Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("the document must be a JSON object");
        }

        var mediaType = OptionalString(root, "mediaType", "mediaType");
        if (mediaType is MediaTypes.DockerManifestSchema1 or MediaTypes.DockerManifestSchema1Signed)
        {
            throw Unsupported();
        }

        if (!root.TryGetProperty("schemaVersion", out var version))
        {
            Problem("schemaVersion is required and must be 2");
        }
        else if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number))
        {
            Problem("schemaVersion must be the number 2");
        }
        else if (number == 1)
        {
            throw Unsupported();
        }
        else if (number != 2)
        {
            Problem($"schemaVersion is {number}, but only 2 is defined");
        }

        var looksLikeIndex = root.TryGetProperty("manifests", out _);
        var looksLikeManifest = root.TryGetProperty("config", out _) || root.TryGetProperty("layers", out _);
        var kind = mediaType switch
        {
            null when looksLikeIndex && looksLikeManifest => Fail("the document has both manifests and config/layers; set mediaType to say which it is"),
            null when looksLikeIndex => MediaTypes.OciIndex,
            null => MediaTypes.OciManifest,
            MediaTypes.DockerManifest or MediaTypes.OciManifest or MediaTypes.DockerManifestList or MediaTypes.OciIndex => mediaType,
            _ => Fail($"mediaType '{mediaType}' is not a manifest type; expected one of {MediaTypes.DockerManifest}, {MediaTypes.DockerManifestList}, {MediaTypes.OciManifest} or {MediaTypes.OciIndex}"),
        };

        var artifactType = OptionalString(root, "artifactType", "artifactType");
        if (artifactType is not null && !MediaTypes.IsWellFormed(artifactType))
        {
            Problem($"artifactType '{artifactType}' is not a media type");
        }

        var subject = root.TryGetProperty("subject", out var subjectJson) ? ReadDescriptor(subjectJson, "subject", requirePlatform: false) : null;
        var annotations = ReadAnnotations(root, "annotations");

        Manifest? manifest = null;
        if (MediaTypes.IsIndex(kind))
        {
            if (looksLikeManifest)
            {
                Problem("a manifest list or index must not have config or layers");
            }

            var entries = ReadDescriptors(root, "manifests", requirePlatform: kind == MediaTypes.DockerManifestList);
            if (entries is not null)
            {
                manifest = new ImageIndex { MediaType = mediaType, ArtifactType = artifactType, Subject = subject, Annotations = annotations, Manifests = entries };
            }
        }
        else if (kind is not null)
        {
            if (looksLikeIndex)
            {
                Problem("an image manifest must not have manifests");
            }

            Descriptor? config = null;
            if (!root.TryGetProperty("config", out var configJson))
            {
                Problem("config is required");
            }
            else
            {
                config = ReadDescriptor(configJson, "config", requirePlatform: false);
            }

            var layers = ReadDescriptors(root, "layers", requirePlatform: false);
            if (config is not null && layers is not null)
            {
                manifest = new ImageManifest { MediaType = mediaType, ArtifactType = artifactType, Subject = subject, Annotations = annotations, Config = config, Layers = layers };
            }
        }

        if (_problems.Count > 0 || manifest is null)
        {
            throw new ManifestInvalidException(_problems.Count > 0 ? _problems : ["the document is not a manifest"]);
        }

        return manifest;
    }

    private List<Descriptor>? ReadDescriptors(JsonElement parent, string name, bool requirePlatform)
    {
        if (!parent.TryGetProperty(name, out var array))
        {
            Problem($"{name} is required (an empty array if there is nothing to list)");
            return null;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            Problem($"{name} must be an array");
            return null;
        }

        var count = array.GetArrayLength();
        if (count > maxReferences)
        {
            Problem($"{name} has {count} entries; at most {maxReferences} are accepted");
            return null;
        }

        var descriptors = new List<Descriptor>(count);
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var descriptor = ReadDescriptor(item, $"{name}[{index++}]", requirePlatform);
            if (descriptor is not null)
            {
                descriptors.Add(descriptor);
            }
        }

        return descriptors;
    }

    private Descriptor? ReadDescriptor(JsonElement json, string path, bool requirePlatform)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            Problem($"{path} must be a descriptor object with mediaType, digest and size");
            return null;
        }

        var before = _problems.Count;
        var mediaType = RequiredString(json, "mediaType", $"{path}.mediaType");
        if (mediaType is not null && !MediaTypes.IsWellFormed(mediaType))
        {
            Problem($"{path}.mediaType '{mediaType}' is not a media type (type/subtype)");
        }

        var digestText = RequiredString(json, "digest", $"{path}.digest");
        Digest digest = default;
        if (digestText is not null && !Digest.TryParse(digestText, out digest, out var digestProblem))
        {
            Problem($"{path}.digest: {digestProblem}");
        }

        long size = 0;
        if (!json.TryGetProperty("size", out var sizeJson))
        {
            Problem($"{path}.size is required");
        }
        else if (sizeJson.ValueKind != JsonValueKind.Number || !sizeJson.TryGetInt64(out size) || size < 0)
        {
            Problem($"{path}.size must be a non-negative integer");
        }

        var urls = ReadUrls(json, path);
        var annotations = ReadAnnotations(json, $"{path}.annotations");
        var artifactType = OptionalString(json, "artifactType", $"{path}.artifactType");
        if (artifactType is not null && !MediaTypes.IsWellFormed(artifactType))
        {
            Problem($"{path}.artifactType '{artifactType}' is not a media type");
        }

        var data = OptionalString(json, "data", $"{path}.data");
        var platform = ReadPlatform(json, path, requirePlatform);

        if (_problems.Count > before)
        {
            return null;
        }

        if (data is not null)
        {
            CheckEmbeddedData(data, digest, size, path);
        }

        return new Descriptor
        {
            MediaType = mediaType!,
            Digest = digest,
            Size = size,
            Urls = urls,
            Annotations = annotations,
            ArtifactType = artifactType,
            Data = data,
            Platform = platform,
        };
    }

    private void CheckEmbeddedData(string data, Digest digest, long size, string path)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(data);
        }
        catch (FormatException)
        {
            Problem($"{path}.data is not valid base64");
            return;
        }

        if (bytes.LongLength != size || !DigestCalculator.Matches(bytes, digest))
        {
            Problem($"{path}.data does not match the descriptor's digest and size");
        }
    }

    private List<string>? ReadUrls(JsonElement json, string path)
    {
        if (!json.TryGetProperty("urls", out var urls))
        {
            return null;
        }

        if (urls.ValueKind != JsonValueKind.Array)
        {
            Problem($"{path}.urls must be an array of URLs");
            return null;
        }

        var list = new List<string>();
        var index = 0;
        foreach (var url in urls.EnumerateArray())
        {
            if (url.ValueKind != JsonValueKind.String ||
                !Uri.TryCreate(url.GetString(), UriKind.Absolute, out var uri) ||
                (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                Problem($"{path}.urls[{index}] must be an absolute http or https URL");
            }
            else
            {
                list.Add(url.GetString()!);
            }

            index++;
        }

        return list;
    }

    private Platform? ReadPlatform(JsonElement json, string path, bool required)
    {
        if (!json.TryGetProperty("platform", out var platform))
        {
            if (required)
            {
                Problem($"{path}.platform is required in a Docker manifest list");
            }

            return null;
        }

        if (platform.ValueKind != JsonValueKind.Object)
        {
            Problem($"{path}.platform must be an object with architecture and os");
            return null;
        }

        var architecture = RequiredString(platform, "architecture", $"{path}.platform.architecture");
        var os = RequiredString(platform, "os", $"{path}.platform.os");
        var osVersion = OptionalString(platform, "os.version", $"{path}.platform.os.version");
        var osFeatures = OptionalStrings(platform, "os.features", $"{path}.platform.os.features");
        var variant = OptionalString(platform, "variant", $"{path}.platform.variant");
        var features = OptionalStrings(platform, "features", $"{path}.platform.features");
        return architecture is null || os is null
            ? null
            : new Platform { Architecture = architecture, Os = os, OsVersion = osVersion, OsFeatures = osFeatures, Variant = variant, Features = features };
    }

    private Dictionary<string, string>? ReadAnnotations(JsonElement json, string path)
    {
        if (!json.TryGetProperty("annotations", out var annotations))
        {
            return null;
        }

        if (annotations.ValueKind != JsonValueKind.Object)
        {
            Problem($"{path} must be an object of strings");
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in annotations.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                Problem($"{path}.{entry.Name} must be a string");
            }
            else
            {
                map[entry.Name] = entry.Value.GetString()!;
            }
        }

        return map;
    }

    private string? RequiredString(JsonElement json, string name, string path)
    {
        if (!json.TryGetProperty(name, out var value))
        {
            Problem($"{path} is required");
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(value.GetString()))
        {
            Problem($"{path} must be a non-empty string");
            return null;
        }

        return value.GetString();
    }

    private string? OptionalString(JsonElement json, string name, string path)
    {
        if (!json.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Problem($"{path} must be a string");
            return null;
        }

        return value.GetString();
    }

    private List<string>? OptionalStrings(JsonElement json, string name, string path)
    {
        if (!json.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
        {
            Problem($"{path} must be an array of strings");
            return null;
        }

        return [.. value.EnumerateArray().Select(v => v.GetString()!)];
    }

    private string? Fail(string problem)
    {
        Problem(problem);
        return null;
    }

    private void Problem(string problem)
    {
        if (_problems.Count < MaxProblems)
        {
            _problems.Add(problem);
        }
    }

    private static ManifestInvalidException Invalid(string problem) => new([problem]);

    private static ManifestInvalidException Unsupported() => new(
        ["Docker schema1 manifests are not supported; convert the image to schema2 or OCI first, for example with skopeo copy --format v2s2"],
        unsupported: true);
}
