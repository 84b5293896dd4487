using System.Diagnostics;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>
/// A write waiting for the database's writer (see <see cref="LiteDbDatabase.WriteAsync{T}(IReadOnlyList{string}, Func{LiteDB.LiteDatabase, T})"/>): it runs inside the writer's
/// transaction, maybe more than once (a batch it shared is rolled back when another write of it fails, and each write then
/// runs alone), and completes with its result and the generation of the commit that holds it.
/// </summary>
internal abstract class PendingWrite(IReadOnlyList<string>? changes)
{
    /// <summary>The collections the write changes; <see langword="null"/>: any.</summary>
    public IReadOnlyList<string>? Changes => changes;

    /// <summary>When the write was handed to the writer (a <see cref="Stopwatch"/> timestamp).</summary>
    public long Queued { get; } = Stopwatch.GetTimestamp();

    public abstract void Run(LiteDatabase database);

    public abstract void Complete(long generation);

    public abstract void Fail(Exception error);
}

/// <inheritdoc cref="PendingWrite"/>
internal sealed class PendingWrite<T>(IReadOnlyList<string>? changes, Func<LiteDatabase, T> write) : PendingWrite(changes)
{
    private readonly TaskCompletionSource<(T Result, long Generation)> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T _result = default!;

    public Task<(T Result, long Generation)> Done => _done.Task;

    public override void Run(LiteDatabase database) => _result = write(database);

    public override void Complete(long generation) => _done.TrySetResult((_result, generation));

    public override void Fail(Exception error) => _done.TrySetException(error);
}
