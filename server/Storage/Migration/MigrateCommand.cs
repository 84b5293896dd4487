using System.Diagnostics;
using Berth.Server.Configuration;
using Berth.Server.Content;
using Berth.Server.Storage.LiteDb;
using Berth.Server.Storage.PostgreSql;
using Docker.Common.Digests;
using Microsoft.Extensions.Options;

namespace Berth.Server.Storage.Migration;

/// <summary>
/// <c>Berth.Server migrate --data-dir DIR --Berth:Metadata:Provider=PostgreSql --Berth:Metadata:ConnectionString=...
/// --Berth:Content:Provider=S3 --Berth:Content:S3:...</c>: with the server stopped (it takes the data folder's lock),
/// copies the data folder's embedded metadata into the PostgreSQL database the settings name, keeping every id, time
/// and order, and its content into the bucket they name; either alone too. A migration cut off is run again and goes
/// on where it stopped. Exit code 0 when everything is copied, 1 when content files were damaged, 2 when it cannot be.
/// </summary>
public static class MigrateCommand
{
    public const string Name = "migrate";
    private const int Batch = 1000;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        var options = services.GetRequiredService<IOptions<BerthOptions>>().Value;
        var (metadata, content) = (options.Metadata.Provider == MetadataProvider.PostgreSql, options.Content.Provider == ContentProvider.S3);
        if (!metadata && !content)
        {
            await errors.WriteLineAsync(
                "berth: migrate copies the data folder's embedded metadata into PostgreSQL (--Berth:Metadata:Provider=PostgreSql and " +
                "--Berth:Metadata:ConnectionString=...) and its content into a bucket (--Berth:Content:Provider=S3 and --Berth:Content:S3:...): give it either or both");
            return 2;
        }

        // Looked for before the folder is opened, which would make an empty store where there was none.
        var database = new DataLayout(options.DataDir).Database;
        if (metadata && !File.Exists(database))
        {
            await errors.WriteLineAsync($"berth: migrate: there is no embedded metadata at {database}: give the data folder to copy with --data-dir");
            return 2;
        }

        if (content && new DataLayout(options.DataDir).Content is var folder && !Directory.Exists(folder))
        {
            await errors.WriteLineAsync($"berth: migrate: there is no content at {folder}: give the data folder to copy with --data-dir");
            return 2;
        }

        var layout = services.GetRequiredService<DataLayout>();
        var clock = Stopwatch.StartNew();
        if (metadata && await MigrateMetadataAsync(services, layout, output, errors, cancellationToken) is var code and not 0)
        {
            return code;
        }

        if (content && await MigrateContentAsync(services, layout, output, errors, cancellationToken) is var contentCode and not 0)
        {
            return contentCode;
        }

        await output.WriteLineAsync(
            $"migrated in {clock.Elapsed.TotalSeconds:F1} s. Start the server with the same --Berth settings and --data-dir {layout.Root} " +
            $"({(content ? "uploads in progress and the signing key" : "content")} stay there), and run verify with them to check it. " +
            $"What was copied is left as it was{(content ? " (content/ included)" : "")}; remove it once you no longer want to go back.");
        return 0;
    }

    private static async Task<int> MigrateMetadataAsync(IServiceProvider services, DataLayout layout, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var target = new PostgreSqlMetadataImport(services.GetRequiredService<PostgreSqlDatabase>());
        var done = await target.PrepareAsync(cancellationToken);
        if (done.Count == 0 && await target.HoldsOtherDataAsync(cancellationToken))
        {
            await errors.WriteLineAsync("berth: migrate: the PostgreSQL database already holds Berth metadata that no migration wrote: migrate into an empty database");
            return 2;
        }

        using var embedded = new LiteDbDatabase(layout.Database);
        var source = new LiteDbStoredMetadata(embedded);
        await output.WriteLineAsync($"migrating the metadata of {layout.Root} into {services.GetRequiredService<PostgreSqlDatabase>().Describe()}");
        await StepAsync(output, done, MigrationSteps.Access, () => target.CopyAccessAsync([.. source.Users()], [.. source.Tokens()], [.. source.SignedOutSessions()], cancellationToken));
        await StepAsync(output, done, MigrationSteps.Repositories, () => target.CopyRepositoriesAsync([.. source.Repositories()], [.. source.Importers()], [.. source.RetentionPolicies()], cancellationToken));
        await StepAsync(output, done, MigrationSteps.Content, async () =>
        {
            await CopyUnitsAsync(source, target, output, cancellationToken);
            await CopyAssociationsAsync(source, target, output, cancellationToken);
            await target.FinishContentAsync(cancellationToken);
        });
        await StepAsync(output, done, MigrationSteps.HistoryAndState, () => target.CopyHistoryAndStateAsync(
            [.. source.TagMoves()], [.. source.Uploads()], [.. source.EndedSessions()], [.. source.Marks()], [.. source.Events()], [.. source.EventCursors()], cancellationToken));
        return 0;
    }

    /// <summary>
    /// Copies the data folder's content into the configured store, each file hashed first (a file that no longer matches
    /// its digest is named and not copied: a key holds only verified bytes). What the store already holds is skipped,
    /// so a copy cut off goes on where it stopped.
    /// </summary>
    private static async Task<int> MigrateContentAsync(IServiceProvider services, DataLayout layout, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var source = new FileSystemContentStore(layout);
        var target = services.GetRequiredService<IContentStore>();
        if (await target.ProbeAsync(cancellationToken) is { Writable: false } probe)
        {
            await errors.WriteLineAsync($"berth: migrate: {probe.ForOperators}");
            return 2;
        }

        await output.WriteLineAsync($"migrating the content of {layout.Content} into the bucket");
        var present = new HashSet<Digest>();
        await foreach (var page in target.ListAsync(cancellationToken))
        {
            present.UnionWith(page.Where(e => e.Digest is not null).Select(e => e.Digest!.Value));
        }

        var files = new List<ContentEntry>();
        await foreach (var page in source.ListAsync(cancellationToken))
        {
            files.AddRange(page.Where(e => e.Digest is not null));
        }

        var started = Stopwatch.StartNew();
        var progress = new ProgressLine(output, "content files", files.Count);
        var damaged = new List<string>();
        long copied = 0, bytes = 0;
        foreach (var file in files)
        {
            var digest = file.Digest!.Value;
            if (!present.Contains(digest))
            {
                var path = layout.ContentPath(digest);
                if (await HashAsync(path, digest.Algorithm, cancellationToken) is var actual && actual != digest)
                {
                    damaged.Add($"{file.Name} (hashes to {actual})");
                }
                else
                {
                    bytes += await target.CopyFileAsync(digest, path, cancellationToken);
                    copied++;
                }
            }

            await progress.AddAsync(1);
        }

        await output.WriteLineAsync(
            $"  content: {copied} files ({bytes / 1048576.0:F1} MiB) copied in {started.Elapsed.TotalSeconds:F1} s, {files.Count - copied - damaged.Count} already there");
        if (damaged.Count > 0)
        {
            await errors.WriteLineAsync(
                $"berth: migrate: {damaged.Count} content file(s) no longer match their digest and were not copied: {string.Join(", ", damaged)}; " +
                "run verify on the data folder to see which units need them, and import them again");
            return 1;
        }

        return 0;
    }

    private static async Task<Digest> HashAsync(string path, DigestAlgorithm algorithm, CancellationToken cancellationToken)
    {
        using var calculator = new DigestCalculator(algorithm);
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        await calculator.AppendAsync(stream, cancellationToken);
        return calculator.Current();
    }

    private static async Task StepAsync(TextWriter output, IReadOnlySet<string> done, string step, Func<Task> copy)
    {
        if (done.Contains(step))
        {
            await output.WriteLineAsync($"  {step}: copied by an earlier run");
            return;
        }

        var started = Stopwatch.StartNew();
        await copy();
        await output.WriteLineAsync($"  {step}: copied in {started.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task CopyUnitsAsync(LiteDbStoredMetadata source, PostgreSqlMetadataImport target, TextWriter output, CancellationToken cancellationToken)
    {
        // Units go in id order, a batch per transaction: those up to the last id copied are there already.
        var copiedUpTo = await target.LastUnitIdAsync(cancellationToken);
        var progress = new ProgressLine(output, "units", source.UnitCount());
        foreach (var batch in source.Units(Batch))
        {
            if (copiedUpTo is null || string.CompareOrdinal(batch[^1].Unit.Id, copiedUpTo) > 0)
            {
                await target.CopyUnitsAsync(batch, cancellationToken);
            }

            await progress.AddAsync(batch.Count);
        }
    }

    private static async Task CopyAssociationsAsync(LiteDbStoredMetadata source, PostgreSqlMetadataImport target, TextWriter output, CancellationToken cancellationToken)
    {
        var copiedUpTo = await target.LastAssociationAsync(cancellationToken);
        var progress = new ProgressLine(output, "associations", source.AssociationCount());
        foreach (var batch in source.Associations(Batch))
        {
            if (batch.Max(a => a.Sequence) > copiedUpTo)
            {
                await target.CopyAssociationsAsync(batch, cancellationToken);
            }

            await progress.AddAsync(batch.Count);
        }
    }

    /// <summary>A line every couple of seconds while a large part is copied: how far, of how many.</summary>
    private sealed class ProgressLine(TextWriter output, string what, long total)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _next = ProgressInterval;
        private long _copied;

        public async Task AddAsync(int count)
        {
            _copied += count;
            if (_clock.Elapsed >= _next || _copied == total)
            {
                _next = _clock.Elapsed + ProgressInterval;
                await output.WriteLineAsync($"    {what}: {_copied} of {total} ({_copied / Math.Max(_clock.Elapsed.TotalSeconds, 0.001):F0}/s)");
            }
        }
    }
}
