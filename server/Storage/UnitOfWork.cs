using Berth.Plugins;
using Berth.Server.Events;
using Berth.Server.Membership;
using Berth.Server.Orphans;
using Berth.Server.Repositories;
using Berth.Server.TagHistory;
using Berth.Server.Uploads;

namespace Berth.Server.Storage;

/// <summary>
/// Everything one import (or promotion, or removal) writes to the metadata store: gathered while the work runs and
/// committed at its end in one transaction by <see cref="CommitAsync"/>, all of it or nothing. Reads made during the work
/// see its own pending writes (<see cref="Saved"/>, <see cref="Associated"/>). What the work holds against removal and
/// collection stays held until it is disposed, after the commit.
/// </summary>
/// <remarks>Importers may call their conduit from several tasks at once: every member is safe to call concurrently.</remarks>
public sealed class UnitOfWork : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<UnitIdentity, Unit> _saved = [];
    private readonly List<UnitIdentity> _saveOrder = [];
    private readonly Dictionary<(RepositoryId, UnitIdentity), Unit> _associated = [];
    private readonly List<(RepositoryId, UnitIdentity)> _associationOrder = [];
    private readonly List<UnitRemoval> _removals = [];
    private readonly List<TagMove> _moves = [];
    private readonly List<UploadId> _endedUploads = [];
    private readonly List<UploadRequest> _importedUploads = [];
    private readonly List<NotificationEvent> _events = [];
    private readonly List<Func<Task>> _afterCommit = [];
    private readonly List<ReferenceGuard.Hold> _holds = [];
    private bool _committed;

    /// <summary>Units to insert, or whose metadata and references to update, in the order they were saved.</summary>
    public IReadOnlyList<Unit> Saves
    {
        get
        {
            lock (_gate)
            {
                return [.. _saveOrder.Select(i => _saved[i])];
            }
        }
    }

    /// <summary>Units to associate with repositories (each saved before, by this work or earlier), in order.</summary>
    public IReadOnlyList<UnitAssociation> Associations
    {
        get
        {
            lock (_gate)
            {
                return [.. _associationOrder.Select(a => new UnitAssociation(a.Item1, Latest(a.Item2, _associated[a])))];
            }
        }
    }

    /// <summary>Units to take out of repositories; each that leaves is marked released (orphans' grace runs from then).</summary>
    public IReadOnlyList<UnitRemoval> Removals => Snapshot(_removals);

    /// <summary>Name moves to append to the history.</summary>
    public IReadOnlyList<TagMove> Moves => Snapshot(_moves);

    /// <summary>Upload requests whose import this work completes.</summary>
    public IReadOnlyList<UploadId> EndedUploads => Snapshot(_endedUploads);

    /// <summary>
    /// The content API's uploads among <see cref="EndedUploads"/>: remembered as ended with the work, so that their
    /// owner's DELETE afterwards still succeeds, as Pulp 2's clients send it (see <see cref="IUploadRequestStore.ForgetEndedAsync(UploadId, CancellationToken)"/>).
    /// </summary>
    public IReadOnlyList<UploadRequest> ImportedUploads => Snapshot(_importedUploads);

    /// <summary>The events that report this work, in order: written to the outbox in its transaction.</summary>
    public IReadOnlyList<NotificationEvent> Events => Snapshot(_events);

    /// <summary>Whether the work writes nothing.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _saved.Count == 0 && _associated.Count == 0 && _removals.Count == 0 && _moves.Count == 0 && _endedUploads.Count == 0 && _events.Count == 0;
            }
        }
    }

    /// <summary>
    /// Saves a unit: the one returned carries an id, which the commit may replace by the id of the same unit stored
    /// meanwhile (see <see cref="CommittedWork.Resolve"/>).
    /// </summary>
    public Unit Save(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var identity = UnitIdentity.Of(unit);
        lock (_gate)
        {
            ThrowIfCommitted();
            var id = _saved.TryGetValue(identity, out var earlier) ? earlier.Id : unit.Id ?? Units.UnitIds.New();
            var saved = unit with { Id = id };
            if (earlier is null)
            {
                _saveOrder.Add(identity);
            }

            _saved[identity] = saved;
            return saved;
        }
    }

    /// <summary>Associates a unit, saved by this work or found stored, with a repository.</summary>
    public void Associate(RepositoryId repositoryId, Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var identity = UnitIdentity.Of(unit);
        lock (_gate)
        {
            ThrowIfCommitted();
            var key = (repositoryId, identity);
            if (!_associated.ContainsKey(key))
            {
                _associationOrder.Add(key);
            }

            _associated[key] = unit;
        }
    }

    /// <summary>Takes a stored unit (by its id) out of a repository.</summary>
    public void Remove(RepositoryId repositoryId, string unitId)
    {
        ArgumentException.ThrowIfNullOrEmpty(unitId);
        lock (_gate)
        {
            ThrowIfCommitted();
            _removals.Add(new UnitRemoval(repositoryId, unitId));
        }
    }

    public void Record(TagMove move)
    {
        ArgumentNullException.ThrowIfNull(move);
        lock (_gate)
        {
            ThrowIfCommitted();
            _moves.Add(move);
        }
    }

    /// <summary>Reports the work to the endpoints that want it, once it is committed: the event is written with it.</summary>
    public void Announce(NotificationEvent notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        lock (_gate)
        {
            ThrowIfCommitted();
            _events.Add(notification);
        }
    }

    public void EndUpload(UploadRequest upload, Func<Task> afterCommit)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(afterCommit);
        lock (_gate)
        {
            ThrowIfCommitted();
            _endedUploads.Add(upload.Id);

            // A registry session ends with the PUT that completes it: no client asks for it again, and a push pays no write for it.
            if (upload.Repository is null)
            {
                _importedUploads.Add(upload);
            }

            _afterCommit.Add(afterCommit);
        }
    }

    /// <summary>Keeps <paramref name="hold"/> until the work is disposed: after its commit, or when it is abandoned.</summary>
    public void Keep(ReferenceGuard.Hold hold)
    {
        ArgumentNullException.ThrowIfNull(hold);
        lock (_gate)
        {
            _holds.Add(hold);
        }
    }

    /// <summary>The unit this work saved with that type and key, if any.</summary>
    public Unit? Saved(string typeId, UnitKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            return _saved.GetValueOrDefault(new UnitIdentity(typeId, key.Canonical));
        }
    }

    /// <summary>Those of the given units that this work associates with the repository.</summary>
    public IReadOnlyList<Unit> Associated(RepositoryId repositoryId, string typeId, IEnumerable<UnitKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        lock (_gate)
        {
            return [.. keys
                .Select(k => new UnitIdentity(typeId, k.Canonical))
                .Where(i => _associated.ContainsKey((repositoryId, i)))
                .Select(i => Latest(i, _associated[(repositoryId, i)]))];
        }
    }

    /// <summary>
    /// Commits everything in one transaction of <paramref name="store"/>, then runs what waited for the commit (an upload's
    /// file goes only once its end is durable). A work commits once; one that writes nothing costs nothing.
    /// </summary>
    public async Task<CommittedWork> CommitAsync(IUnitOfWorkStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        lock (_gate)
        {
            ThrowIfCommitted();
            _committed = true;
        }

        if (IsEmpty)
        {
            return CommittedWork.Nothing;
        }

        // Other servers' collection spares what this work references only while they see its holds.
        foreach (var hold in Snapshot(_holds).DistinctBy(h => h.Generation))
        {
            await hold.ConfirmAsync(cancellationToken);
        }

        var committed = await store.CommitAsync(this, cancellationToken);
        foreach (var action in _afterCommit)
        {
            await action();
        }

        return committed;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _holds.ForEach(h => h.Dispose());
            _holds.Clear();
        }
    }

    // A unit associated, then saved again (a tag moved twice in one work), is associated as last saved.
    private Unit Latest(UnitIdentity identity, Unit associated) => _saved.GetValueOrDefault(identity) ?? associated;

    private List<T> Snapshot<T>(List<T> list)
    {
        lock (_gate)
        {
            return [.. list];
        }
    }

    private void ThrowIfCommitted()
    {
        if (_committed)
        {
            throw new InvalidOperationException("This unit of work has been committed; what comes after it belongs to another.");
        }
    }
}
