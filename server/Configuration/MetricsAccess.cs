namespace Berth.Server.Configuration;

/// <summary>
/// Who may read <c>/metrics</c>. The figures name no repository, tag or user (their labels are bounded), so the
/// default is the usual one for a scrape endpoint; a server on a shared network can ask for a sign-in.
/// </summary>
public enum MetricsAccess
{
    /// <summary>Anyone, signed in or not: a Prometheus job needs no credentials.</summary>
    Anyone,

    /// <summary>
    /// Any signed-in user, with or without grants: a scraper gets a user of its own with no grant at all and a token,
    /// so that the credentials it stores can read figures and nothing else.
    /// </summary>
    SignedIn,

    /// <summary>Administrators only (admin on <c>*</c>).</summary>
    Administrators,
}
