namespace Berth.Tests.Hostile;

/// <summary>Which error body a refusal must have.</summary>
public enum ErrorShape
{
    /// <summary>The content API's Pulp 2 error: <c>http_status</c>, <c>error_message</c>, <c>error.code</c>.</summary>
    Pulp,

    /// <summary>The registry API's envelope: <c>{"errors": [{"code", "message", "detail"}]}</c>.</summary>
    Oci,

    /// <summary>A registry answer to HEAD: the status and the API version header, no body.</summary>
    OciHead,

    /// <summary>
    /// Kestrel's own bare 400, for requests whose HTTP framing is broken (a Content-Length that is not a number,
    /// two that differ): the server rejects them before any endpoint, so no API can claim them.
    /// </summary>
    Framing,

    /// <summary>
    /// A web UI page that says what is wrong (<c>class="problem"</c>) under the UI's Content-Security-Policy; or, for a
    /// session that does not hold, the way to the sign-in page.
    /// </summary>
    Page,
}
