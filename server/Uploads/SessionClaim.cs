using Berth.Server.Repositories;

namespace Berth.Server.Uploads;

/// <summary>
/// What a registry request says of the session it names: the repository in its URL and the user who sends it. A session
/// that was never stored is found by its id alone when the id was made for exactly these (see <see cref="SessionIds"/>).
/// </summary>
public readonly record struct SessionClaim(RepositoryId Repository, string Login);
