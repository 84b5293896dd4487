namespace Berth.Tests.Hostile;

/// <summary>
/// Pen-test findings 7 and 8i (issue 18). Log injection: control characters in what a refusal's log line quotes
/// (the refusal must still be the right one; <c>Berth.Tests.Logs.LogInjectionTests</c> reads the log itself). Page
/// sizes: what is not a whole number is refused; a number past the largest page is served capped (not here: it is
/// no refusal; see <c>Berth.Tests.Registry.PagingTests</c>).
/// </summary>
public static partial class HostileCases
{
    private const string ForgedAudit = "%0A%20%20%20%20%20%20audit%20action%3Dforged%20target%3Dx";

    private static IEnumerable<HostileCase> LogsAndPages() =>
    [
        Pulp("logs: a newline and a forged audit line in a repository id, anonymous", "GET", $"{Api}/repositories/x{ForgedAudit}/", "BRT0401", 401) with { Anonymous = true },
        Pulp("logs: CR LF and a forged audit line in a repository id, anonymous", "GET", $"{Api}/repositories/x%0D{ForgedAudit}/", "BRT0401", 401) with { Anonymous = true },
        Pulp("logs: a line separator in a repository id, anonymous", "GET", $"{Api}/repositories/x%E2%80%A8audit%20action%3Dforged/", "BRT0401", 401) with { Anonymous = true },
        Pulp("logs: a bidi override in a repository id, anonymous", "GET", $"{Api}/repositories/x%E2%80%AEdrocer/", "BRT0401", 401) with { Anonymous = true },
        Pulp("logs: a terminal escape sequence in a repository id, anonymous", "GET", $"{Api}/repositories/x%1B%5B2J%1B%5BH/", "BRT0401", 401) with { Anonymous = true },
        Pulp("logs: a forged audit line in a new repository's id", "POST", $"{Api}/repositories/") with
        {
            Body = """{"id":"x\n      audit action=forged target=x"}""",
        },
        Oci("logs: a forged audit line in a registry name, anonymous", "GET", $"/v2/x{ForgedAudit}/tags/list", "NOT_FOUND", 404) with { Anonymous = true },
        Oci("logs: a forged audit line in a tag", "GET", $"/v2/{{name}}/manifests/x{ForgedAudit}", "MANIFEST_UNKNOWN", 404),
        Oci("logs: a forged audit line in n", "GET", $"/v2/_catalog?n=1{ForgedAudit}", "PAGINATION_NUMBER_INVALID"),
        Oci("pages: tags n with a plus sign", "GET", "/v2/{name}/tags/list?n=%2B1", "PAGINATION_NUMBER_INVALID"),
        Oci("pages: tags n with a leading space", "GET", "/v2/{name}/tags/list?n=%201", "PAGINATION_NUMBER_INVALID"),
        Oci("pages: tags n with a trailing space", "GET", "/v2/{name}/tags/list?n=1%20", "PAGINATION_NUMBER_INVALID"),
        Oci("pages: tags n in Arabic-Indic digits", "GET", "/v2/{name}/tags/list?n=%D9%A1", "PAGINATION_NUMBER_INVALID"),
        Oci("pages: tags n negative and huge", "GET", "/v2/{name}/tags/list?n=-99999999999999999999", "PAGINATION_NUMBER_INVALID"),
        Oci("pages: catalog n empty", "GET", "/v2/_catalog?n=", "PAGINATION_NUMBER_INVALID"),
        Oci("pages: catalog n negative zero", "GET", "/v2/_catalog?n=-0", "PAGINATION_NUMBER_INVALID"),
        Oci("pages: catalog n a fraction", "GET", "/v2/_catalog?n=1.5", "PAGINATION_NUMBER_INVALID"),
        Oci("pages: catalog n in exponent form", "GET", "/v2/_catalog?n=1e3", "PAGINATION_NUMBER_INVALID"),
        Oci("pages: catalog n in hexadecimal", "GET", "/v2/_catalog?n=0x10", "PAGINATION_NUMBER_INVALID"),
        Oci("pages: catalog n with thousands separators", "GET", "/v2/_catalog?n=1,000", "PAGINATION_NUMBER_INVALID"),
        Oci("pages: catalog n twice", "GET", "/v2/_catalog?n=1&n=99999999999", "PAGINATION_NUMBER_INVALID"),
    ];
}
