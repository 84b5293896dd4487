using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Docker.ManifestImporter;

/// <summary>The largest document an import reads, and what set it (for the refusal's message).</summary>
internal sealed record DocumentCeiling(long Bytes, string SetBy)
{
    /// <summary>Refuses a document larger than the ceiling, before anything of it is read.</summary>
    /// <exception cref="ContentException">With <see cref="ContentError.TooLarge"/>.</exception>
    public void Check(long length)
    {
        if (length > Bytes)
        {
            throw new ContentException(
                ContentError.TooLarge,
                $"the manifest is {length} bytes; the largest accepted is {Bytes} bytes ({SetBy})",
                new JsonObject { ["size"] = length, ["max_size"] = Bytes });
        }
    }
}
