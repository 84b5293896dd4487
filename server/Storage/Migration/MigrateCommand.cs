using System.Diagnostics;
using Berth.Server.Configuration;
using Berth.Server.Storage.LiteDb;
using Berth.Server.Storage.PostgreSql;
using Microsoft.Extensions.Options;

namespace Berth.Server.Storage.Migration;

/// <summary>
/// <c>Berth.Server migrate --data-dir DIR --Berth:Metadata:Provider=PostgreSql --Berth:Metadata:ConnectionString=...</c>:
/// with the server stopped (it takes the data folder's lock), copies the data folder's embedded metadata into the
/// PostgreSQL database the settings name, keeping every id, time and order; content stays in the data folder. A
/// migration cut off is run again and goes on where it stopped. Exit code 0 when everything is copied, 2 when it cannot be.
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
        if (options.Metadata.Provider != MetadataProvider.PostgreSql)
        {
            await errors.WriteLineAsync("berth: migrate copies the data folder's embedded metadata into PostgreSQL: give it --Berth:Metadata:Provider=PostgreSql and --Berth:Metadata:ConnectionString=...");
            return 2;
        }

        // Looked for before the folder is opened, which would make an empty store where there was none.
        var database = new DataLayout(options.DataDir).Database;
        if (!File.Exists(database))
        {
            await errors.WriteLineAsync($"berth: migrate: there is no embedded metadata at {database}: give the data folder to copy with --data-dir");
            return 2;
        }

        var layout = services.GetRequiredService<DataLayout>();
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
        var clock = Stopwatch.StartNew();
        await StepAsync(output, done, MigrationSteps.Access, () => target.CopyAccessAsync([.. source.Users()], [.. source.Tokens()], cancellationToken));
        await StepAsync(output, done, MigrationSteps.Repositories, () => target.CopyRepositoriesAsync([.. source.Repositories()], [.. source.Importers()], [.. source.RetentionPolicies()], cancellationToken));
        await StepAsync(output, done, MigrationSteps.Content, async () =>
        {
            await CopyUnitsAsync(source, target, output, cancellationToken);
            await CopyAssociationsAsync(source, target, output, cancellationToken);
            await target.FinishContentAsync(cancellationToken);
        });
        await StepAsync(output, done, MigrationSteps.HistoryAndState, () => target.CopyHistoryAndStateAsync(
            [.. source.TagMoves()], [.. source.Uploads()], [.. source.EndedSessions()], [.. source.Marks()], [.. source.Events()], [.. source.EventCursors()], cancellationToken));
        await output.WriteLineAsync(
            $"migrated in {clock.Elapsed.TotalSeconds:F1} s. Start the server with the same --Berth:Metadata settings and --data-dir {layout.Root} " +
            "(content stays there), and run verify with them to check it. The embedded store is left as it was; remove it once you no longer want to go back.");
        return 0;
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
