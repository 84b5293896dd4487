namespace Berth.Server.Configuration;

/// <summary>Orphan collection and retention settings (<c>Berth:Lifecycle:*</c>).</summary>
public sealed class LifecycleOptions
{
    /// <summary>
    /// How long a unit must have been in no repository (and untouched by imports) before collection may delete
    /// it: a client that saw it a moment ago (a blob it checked before pushing a manifest) can still use it.
    /// </summary>
    public TimeSpan OrphanGracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often orphans are collected on their own; unset (the default) collects only when asked.</summary>
    public TimeSpan? OrphanCollectionInterval { get; set; }

    /// <summary>How often the repositories' retention policies are applied; unset turns the schedule off.</summary>
    public TimeSpan? RetentionInterval { get; set; } = TimeSpan.FromHours(1);
}
