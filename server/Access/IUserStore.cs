namespace Berth.Server.Access;

/// <summary>Where users and their API tokens are kept.</summary>
public interface IUserStore
{
    Task<bool> TryCreateAsync(User user, CancellationToken cancellationToken);

    Task<User?> FindAsync(string login, CancellationToken cancellationToken);

    Task<IReadOnlyList<User>> ListAsync(CancellationToken cancellationToken);

    Task<long> CountAsync(CancellationToken cancellationToken);

    /// <summary>Replaces a user's password hash and grants; <see langword="false"/> when there is no such user.</summary>
    Task<bool> UpdateAsync(User user, CancellationToken cancellationToken);

    /// <summary>Deletes a user and every token of theirs.</summary>
    Task<bool> DeleteAsync(string login, CancellationToken cancellationToken);

    Task CreateTokenAsync(ApiToken token, CancellationToken cancellationToken);

    Task<ApiToken?> FindTokenAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiToken>> ListTokensAsync(string login, CancellationToken cancellationToken);

    Task<bool> DeleteTokenAsync(string login, string id, CancellationToken cancellationToken);
}
