namespace Berth.Server.Storage;

/// <summary>How far what a metadata store holds has changed, table by table: what a <see cref="ReadCache{TKey, TValue}"/> checks its entries against.</summary>
public interface IChangeVersions
{
    /// <summary>A number that grows whenever anything in <paramref name="tables"/> changes (and may grow otherwise).</summary>
    long VersionOf(IReadOnlyList<string> tables);

    /// <summary>Whether what is read now may be remembered: false while changes might go unseen.</summary>
    bool Remembers { get; }
}
