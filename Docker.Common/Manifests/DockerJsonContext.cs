using System.Text.Json.Serialization;

namespace Docker.Common.Manifests;

/// <summary>
/// Source-generated serialization of the manifest models, for writing manifests (tests, tools). Reading goes
/// through <see cref="ManifestParser"/>, which validates as it reads.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ImageManifest))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(Descriptor))]
public sealed partial class DockerJsonContext : JsonSerializerContext;
