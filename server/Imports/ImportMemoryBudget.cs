using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Berth.Server.Imports;

/// <summary>
/// The server-wide budget for documents held whole in memory (<c>Berth:Imports:MemoryBudgetBytes</c>): a registry
/// push reserves its manifest's size before parsing it, an importer before reading a document from an upload. A
/// reservation waits, in arrival order, until the room is free; one larger than the whole budget is refused at once.
/// Whatever clients send, and however many send it at once, the documents being checked never hold more than the
/// budget.
/// </summary>
public sealed class ImportMemoryBudget(IOptions<BerthOptions> options)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = [];
    private long _reserved;

    public long TotalBytes { get; } = options.Value.Imports.EffectiveMemoryBudgetBytes;

    /// <summary>How many bytes are reserved now.</summary>
    public long ReservedBytes
    {
        get
        {
            lock (_lock)
            {
                return _reserved;
            }
        }
    }

    /// <summary>How many reservations wait for room now; a reservation that must wait is queued before its call returns.</summary>
    internal int WaitingCount
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Reserves room for <paramref name="bytes"/>, waiting (cancellably) behind earlier reservations.</summary>
    /// <exception cref="ContentException">With <see cref="ContentError.TooLarge"/> when more than the whole budget is asked for.</exception>
    public async ValueTask<Reservation> ReserveAsync(long bytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes > TotalBytes)
        {
            throw new ContentException(
                ContentError.TooLarge,
                $"the document is {bytes} bytes, more than the {TotalBytes} bytes this server holds in memory for all documents at once",
                new JsonObject { ["size"] = bytes, ["max_size"] = TotalBytes });
        }

        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (_lock)
        {
            // Granted at once only when nobody waits ahead: a large reservation is not overtaken for ever by small ones.
            if (_waiters.Count == 0 && _reserved + bytes <= TotalBytes)
            {
                _reserved += bytes;
                return new Reservation(this, bytes);
            }

            waiter = new Waiter(bytes);
            node = _waiters.AddLast(waiter);
        }

        await using (cancellationToken.Register(() => Abandon(node, cancellationToken)))
        {
            await waiter.Granted.Task.ConfigureAwait(false);
        }

        return new Reservation(this, bytes);
    }

    private void Abandon(LinkedListNode<Waiter> node, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (node.List is null)
            {
                // Granted just before the cancellation: the reservation stands, and its owner releases it.
                return;
            }

            _waiters.Remove(node);
            node.Value.Granted.TrySetCanceled(cancellationToken);
            GrantWaiting();
        }
    }

    private void Release(long bytes)
    {
        lock (_lock)
        {
            _reserved -= bytes;
            GrantWaiting();
        }
    }

    // Under the lock: grants waiters from the front for as long as they fit.
    private void GrantWaiting()
    {
        while (_waiters.First is { } first && _reserved + first.Value.Bytes <= TotalBytes)
        {
            _reserved += first.Value.Bytes;
            _waiters.RemoveFirst();
            first.Value.Granted.TrySetResult();
        }
    }

    private sealed record Waiter(long Bytes)
    {
        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Room in the budget, given back once when disposed.</summary>
    public sealed class Reservation(ImportMemoryBudget budget, long bytes) : IDisposable
    {
        private int _released;

        public long Bytes => bytes;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                budget.Release(bytes);
            }
        }
    }
}
