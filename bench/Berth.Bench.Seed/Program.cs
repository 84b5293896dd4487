using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Repositories;
using Berth.Server.Storage;
using Berth.Server.Storage.LiteDb;
using Docker.Common;
using Docker.Common.Digests;

// seed DATA_DIR ORPHANS KEPT REPOSITORY: ORPHANS blob units in no repository and KEPT blob units in REPOSITORY
// (which must exist), each with a 1 KiB content file. The server must be stopped: the folder's lock is taken.
if (args.Length != 4 || !int.TryParse(args[1], CultureInfo.InvariantCulture, out var orphans) ||
    !int.TryParse(args[2], CultureInfo.InvariantCulture, out var kept) || !RepositoryId.TryParse(args[3], out var repository, out _))
{
    await Console.Error.WriteLineAsync("usage: seed DATA_DIR ORPHANS KEPT REPOSITORY");
    return 1;
}

using var layout = new DataLayout(args[0]);
layout.Prepare();
using var database = new LiteDbDatabase(layout.Database);
var store = new LiteDbUnitOfWorkStore(database, new LiteDbEventStore(database), TimeProvider.System);
var started = Stopwatch.StartNew();
var buffer = new byte[1024];
const int Batch = 1_000;
var work = new UnitOfWork();
try
{
    for (var i = 0; i < orphans + kept; i++)
    {
        RandomNumberGenerator.Fill(buffer);
        var digest = Digest.Compute(buffer);
        var path = layout.ContentPath(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, buffer);
        var unit = work.Save(new Unit
        {
            TypeId = DockerUnitTypes.Blob,
            Key = UnitKey.Of(DockerUnitTypes.Fields.Digest, digest.ToString()),
            ContentDigest = digest.ToString(),
            Metadata = new JsonObject { [DockerUnitTypes.Fields.Digest] = digest.ToString(), [DockerUnitTypes.Fields.Size] = buffer.Length },
        });
        if (i >= orphans)
        {
            work.Associate(repository, unit);
        }

        if ((i + 1) % Batch == 0 || i + 1 == orphans + kept)
        {
            await work.CommitAsync(store, CancellationToken.None);
            work.Dispose();
            work = new UnitOfWork();
        }

        if ((i + 1) % 10_000 == 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1} units in {started.Elapsed.TotalSeconds:F0} s"));
        }
    }
}
catch (Berth.Server.Errors.NotFoundException)
{
    await Console.Error.WriteLineAsync($"repository {repository.Value} does not exist");
    return 1;
}
finally
{
    work.Dispose();
}

return 0;
