using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;
using Docker.Common.References;

namespace Docker.SyncImporter;

/// <summary>
/// One sync: resolves the upstream tags the filter selects to digests (manifest requests only), then brings each digest
/// not already tagged here as one import (its blobs, manifests and the tags that point at it), several at once. A blob or
/// manifest the repository holds is not fetched; one the server holds for another repository is associated, not fetched.
/// </summary>
internal sealed class SyncRun(SyncRequest request, ISyncConduit conduit, UpstreamRegistry upstream, SyncImporterConfig config)
{
    private const int MostListed = 100;
    private const int MostReferrerDepth = 3;

    private readonly SyncProgress _progress = new(request.Progress);
    private readonly ConcurrentBag<string> _added = [];
    private readonly ConcurrentBag<string> _moved = [];
    private readonly ConcurrentBag<string> _missing = [];
    private readonly ConcurrentBag<string> _withoutPlatform = [];
    private IReadOnlyList<string> _removed = [];
    private int _unitsRemoved;
    private int _referrers;
    private long _unchanged;

    public async Task<JsonObject> RunAsync(CancellationToken cancellationToken)
    {
        var held = (await conduit.ListRepositoryUnitsAsync(DockerUnitTypes.Tag, cancellationToken).ConfigureAwait(false))
            .Where(t => t.Metadata[DockerUnitTypes.Fields.ManifestDigest] is not null)
            .ToDictionary(t => t.Key[DockerUnitTypes.Fields.Name]!, t => t.Metadata[DockerUnitTypes.Fields.ManifestDigest]!.GetValue<string>(), StringComparer.Ordinal);

        if (request.Only is { } only)
        {
            return await BringOnlyAsync(only, held, cancellationToken).ConfigureAwait(false);
        }

        var literal = config.TagFilter.Literal;
        _progress.Step(literal is null ? "listing tags" : "resolving tags");
        var tags = literal ?? [.. (await upstream.ListTagsAsync(cancellationToken).ConfigureAwait(false)).Where(config.TagFilter.Matches)];
        var valid = tags.Where(t => TagName.TryParse(t, out _, out _)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        _progress.Step("resolving tags", valid.Count);
        var resolved = new ConcurrentDictionary<string, UpstreamManifest>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(valid, Options(cancellationToken), async (tag, token) =>
        {
            try
            {
                var manifest = await upstream.GetManifestAsync(tag, request.Limits.MaxDocumentBytes, token).ConfigureAwait(false);
                if (config.Platforms is not { } platforms)
                {
                    resolved[tag] = manifest;
                }
                else if (platforms.Apply(manifest, Parse(manifest)) is { } kept)
                {
                    resolved[tag] = kept;
                }
                else
                {
                    // A list of none of the platforms asked for: nothing of it comes, and the tag is reported.
                    _withoutPlatform.Add(tag);
                    _progress.TagSkipped();
                }
            }
            catch (ContentException e) when (literal is not null && UpstreamRegistry.IsNotFound(e))
            {
                // A tag named in the filter that upstream does not have is reported, not fatal: the others still come.
                _missing.Add(tag);
                _progress.TagSkipped();
            }
        }).ConfigureAwait(false);

        // One import per digest, with every tag that should point at it: tags sharing an image share its download.
        var work = resolved
            .Where(r => !(held.TryGetValue(r.Key, out var current) && current == r.Value.Digest.ToString()))
            .GroupBy(r => r.Value.Digest)
            .Select(g => (Manifest: g.First().Value, Tags: g.Select(r => r.Key).Order(StringComparer.Ordinal).ToList()))
            .ToList();
        foreach (var _ in Enumerable.Range(0, resolved.Count - work.Sum(w => w.Tags.Count)))
        {
            Interlocked.Increment(ref _unchanged);
            _progress.TagSkipped();
        }

        await ImportAsync(work, held, cancellationToken).ConfigureAwait(false);
        await BringAllReferrersAsync(resolved.Values, cancellationToken).ConfigureAwait(false);

        if (config.Mirrors)
        {
            // Only once everything upstream has is here: a sync that failed removes nothing.
            _progress.Step("removing what upstream dropped");
            var dropped = held.Keys.Where(tag => config.TagFilter.Matches(tag) && !resolved.ContainsKey(tag)).Order(StringComparer.Ordinal).ToList();
            var removed = await conduit.RemoveNamesAsync(dropped, cancellationToken).ConfigureAwait(false);
            _removed = [.. removed.Where(u => u.TypeId == DockerUnitTypes.Tag).Select(u => u.Key[DockerUnitTypes.Fields.Name]!)];
            _unitsRemoved = removed.Count;
        }

        return Result();
    }

    /// <summary>What a pull-through cache's miss asks for: those manifests, by digest, and the names given, nothing else.</summary>
    private async Task<JsonObject> BringOnlyAsync(IReadOnlyList<SyncTarget> only, Dictionary<string, string> held, CancellationToken cancellationToken)
    {
        _progress.Step("resolving", only.Count);
        var work = new List<(UpstreamManifest Manifest, List<string> Tags)>();
        foreach (var target in only.GroupBy(t => t.Digest, StringComparer.Ordinal))
        {
            var manifest = await upstream.GetManifestAsync(target.Key, request.Limits.MaxDocumentBytes, cancellationToken).ConfigureAwait(false);
            var names = target.Select(t => t.Name).OfType<string>().Distinct(StringComparer.Ordinal)
                .Where(n => !(held.TryGetValue(n, out var current) && current == manifest.Digest.ToString())).ToList();
            work.Add((manifest, names));
        }

        await ImportAsync(work, held, cancellationToken).ConfigureAwait(false);
        await BringAllReferrersAsync(work.Select(w => w.Manifest), cancellationToken).ConfigureAwait(false);
        return Result();
    }

    /// <summary>One import per manifest, with the tags that point at it, several at once.</summary>
    private async Task ImportAsync(List<(UpstreamManifest Manifest, List<string> Tags)> work, Dictionary<string, string> held, CancellationToken cancellationToken)
    {
        _progress.Step("importing");
        await Parallel.ForEachAsync(work, Options(cancellationToken), async (item, token) =>
        {
            await conduit.ImportAsync(
                async (import, ct) =>
                {
                    await ImportTreeAsync(import, item.Manifest, ct).ConfigureAwait(false);
                    foreach (var tag in item.Tags)
                    {
                        await import.ImportNestedAsync(
                            DockerUnitTypes.Tag,
                            Stream.Null,
                            new JsonObject { [DockerUnitTypes.Fields.Name] = tag },
                            new JsonObject { [DockerUnitTypes.Fields.ManifestDigest] = item.Manifest.Digest.ToString() },
                            ct).ConfigureAwait(false);
                    }

                    return true;
                },
                token).ConfigureAwait(false);
            foreach (var tag in item.Tags)
            {
                (held.ContainsKey(tag) ? _moved : _added).Add(tag);
                _progress.TagDone();
            }
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Every sync asks again, unchanged images too: a signature may have come upstream since the image did.
    /// </summary>
    private async Task BringAllReferrersAsync(IEnumerable<UpstreamManifest> manifests, CancellationToken cancellationToken)
    {
        if (!config.Referrers)
        {
            return;
        }

        _progress.Step("bringing referrers");
        var subjects = manifests.DistinctBy(m => m.Digest).SelectMany(SubjectsOf).Distinct().ToList();
        await Parallel.ForEachAsync(subjects, Options(cancellationToken), async (subject, token) =>
            await conduit.ImportAsync(
                async (import, ct) =>
                {
                    await BringReferrersAsync(import, subject, 0, ct).ConfigureAwait(false);
                    return true;
                },
                token).ConfigureAwait(false))
            .ConfigureAwait(false);
    }

    private JsonObject Result()
    {
        _progress.Step("finished");
        return new JsonObject
        {
            ["feed"] = upstream.Describe,
            ["tags_added"] = Listed(_added),
            ["tags_moved"] = Listed(_moved),
            ["tags_unchanged"] = Interlocked.Read(ref _unchanged),
            ["tags_missing"] = Listed(_missing),
            ["tags_without_platform"] = Listed(_withoutPlatform),
            ["tags_removed"] = Listed(_removed),
            ["units_removed"] = _unitsRemoved,
            ["referrers_added"] = _referrers,
            ["manifests_added"] = _progress.ManifestsDone,
            ["blobs_downloaded"] = _progress.BlobsDownloaded,
            ["blobs_present"] = _progress.BlobsSkipped,
            ["bytes_downloaded"] = _progress.Bytes,
        };
    }

    /// <summary>A manifest, or a list or index with its manifests, with every blob they need, unless the repository has it.</summary>
    private async Task ImportTreeAsync(IImportConduit import, UpstreamManifest upstreamManifest, CancellationToken cancellationToken)
    {
        var manifest = Parse(upstreamManifest);
        var type = manifest is ImageIndex ? DockerUnitTypes.ManifestList : DockerUnitTypes.Manifest;
        var key = UnitKey.Of(DockerUnitTypes.Fields.Digest, upstreamManifest.Digest.ToString());
        if ((await import.FindRepositoryUnitsAsync(type, [key], cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            _progress.ManifestSkipped();
            return;
        }

        switch (manifest)
        {
            case ImageIndex index:
                foreach (var child in index.Manifests.DistinctBy(d => d.Digest))
                {
                    var fetched = await upstream.GetManifestAsync(child.Digest.ToString(), request.Limits.MaxDocumentBytes, cancellationToken).ConfigureAwait(false);
                    await ImportTreeAsync(import, fetched, cancellationToken).ConfigureAwait(false);
                }

                break;
            case ImageManifest image:
                foreach (var blob in image.RegistryBlobs.DistinctBy(d => d.Digest))
                {
                    await BringBlobAsync(import, blob, cancellationToken).ConfigureAwait(false);
                }

                break;
        }

        using var bytes = new MemoryStream(upstreamManifest.Bytes, writable: false);
        await import.ImportNestedAsync(type, bytes, new JsonObject { [DockerUnitTypes.Fields.Digest] = upstreamManifest.Digest.ToString() }, [], cancellationToken).ConfigureAwait(false);
        _progress.ManifestDone();
    }

    private Manifest Parse(UpstreamManifest upstreamManifest)
    {
        try
        {
            return ManifestParser.Parse(upstreamManifest.Bytes, request.Limits.MaxDocumentReferences);
        }
        catch (ManifestInvalidException e)
        {
            throw new ContentException(ContentError.ManifestInvalid, $"upstream {upstream.Describe} manifest {upstreamManifest.Digest} is not one Berth takes: {e.Message}");
        }
    }

    /// <summary>The manifests of an upstream tag whose referrers are brought: the manifest itself and, for a list, its manifests.</summary>
    private IEnumerable<Digest> SubjectsOf(UpstreamManifest manifest)
    {
        yield return manifest.Digest;
        if (ManifestParser.Parse(manifest.Bytes, request.Limits.MaxDocumentReferences) is ImageIndex index)
        {
            foreach (var child in index.Manifests)
            {
                yield return child.Digest;
            }
        }
    }

    /// <summary>Brings the manifests that refer to <paramref name="subject"/> (signatures, SBOMs), and theirs, that the repository lacks.</summary>
    private async Task BringReferrersAsync(IImportConduit import, Digest subject, int depth, CancellationToken cancellationToken)
    {
        foreach (var referrer in (await upstream.ListReferrersAsync(subject, request.Limits.MaxDocumentBytes, cancellationToken).ConfigureAwait(false)).DistinctBy(d => d.Digest))
        {
            var type = MediaTypes.IsIndex(referrer.MediaType) ? DockerUnitTypes.ManifestList : DockerUnitTypes.Manifest;
            var key = UnitKey.Of(DockerUnitTypes.Fields.Digest, referrer.Digest.ToString());
            if ((await import.FindRepositoryUnitsAsync(type, [key], cancellationToken).ConfigureAwait(false)).Count == 0)
            {
                await ImportTreeAsync(import, await upstream.GetManifestAsync(referrer.Digest.ToString(), request.Limits.MaxDocumentBytes, cancellationToken).ConfigureAwait(false), cancellationToken)
                    .ConfigureAwait(false);
                Interlocked.Increment(ref _referrers);
            }

            // A signature of an SBOM: referrers of referrers, a few levels down at most.
            if (depth < MostReferrerDepth)
            {
                await BringReferrersAsync(import, referrer.Digest, depth + 1, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task BringBlobAsync(IImportConduit import, Descriptor blob, CancellationToken cancellationToken)
    {
        var key = UnitKey.Of(DockerUnitTypes.Fields.Digest, blob.Digest.ToString());
        if ((await import.FindRepositoryUnitsAsync(DockerUnitTypes.Blob, [key], cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            _progress.BlobSkipped();
            return;
        }

        if (await import.FindUnitAsync(DockerUnitTypes.Blob, key, cancellationToken).ConfigureAwait(false) is { } elsewhere)
        {
            await import.AssociateAsync(elsewhere, cancellationToken).ConfigureAwait(false);
            _progress.BlobSkipped();
            return;
        }

        var what = $"upstream {upstream.Describe} blob {blob.Digest}";
        await using var bits = await conduit.ReadFeedContentAsync(blob.Digest.ToString(), async ct =>
        {
            var response = await upstream.OpenBlobAsync(blob.Digest, 0, ct).ConfigureAwait(false);
            if (response.Content.Headers.ContentLength is { } length && length != blob.Size)
            {
                response.Dispose();
                throw SizeMismatch(what, blob, length);
            }

            return new FeedContent(await ResumingBlobStream.OpenAsync(upstream, blob.Digest, blob.Size, _progress, response, ct).ConfigureAwait(false), blob.Size);
        }, cancellationToken).ConfigureAwait(false);

        // A download another reader started (a client pulling through a cache) says its own length.
        if (bits.Length != blob.Size)
        {
            throw SizeMismatch(what, blob, bits.Length);
        }

        try
        {
            await import.ImportNestedAsync(DockerUnitTypes.Blob, bits.Content, new JsonObject { [DockerUnitTypes.Fields.Digest] = blob.Digest.ToString() }, [], cancellationToken).ConfigureAwait(false);
        }
        catch (ContentException e) when (e.Error == ContentError.DigestMismatch)
        {
            throw new ContentException(ContentError.DigestMismatch, $"{what} was refused: {e.Message}", e.Details);
        }

        _progress.BlobDone();
    }

    private static ContentException SizeMismatch(string what, Descriptor blob, long length) =>
        new(
            ContentError.DigestMismatch, $"{what} is {length} bytes, but its manifest says {blob.Size}",
            new JsonObject { ["digest"] = blob.Digest.ToString(), ["size"] = blob.Size, ["actual_size"] = length });

    private ParallelOptions Options(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = config.Downloads, CancellationToken = cancellationToken };

    private static JsonArray Listed(IEnumerable<string> names) =>
        [.. names.Order(StringComparer.Ordinal).Take(MostListed).Select(n => JsonValue.Create(n))];
}
