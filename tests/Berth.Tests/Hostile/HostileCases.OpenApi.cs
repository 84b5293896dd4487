namespace Berth.Tests.Hostile;

/// <summary>The OpenAPI document's address: one document, read-only, answered in the content API's error shape otherwise.</summary>
public static partial class HostileCases
{
    private const string Document = "/openapi/v1.json";

    private static IEnumerable<HostileCase> ApiDocumentCases() =>
    [
        Pulp("openapi: a document that does not exist", "GET", "/openapi/v2.json", MissingResource, 404),
        Pulp("openapi: the document as YAML", "GET", "/openapi/v1.yaml", MissingResource, 404),
        Pulp("openapi: traversal beside the document", "GET", "/openapi/..%2F..%2Fberth.db", MissingResource, 404),
        Pulp("openapi: POST to the document", "POST", Document, "BRT0405", 405) with { Body = "{}" },
        Pulp("openapi: DELETE the document", "DELETE", Document, "BRT0405", 405),
        Pulp("openapi: PUT a document of one's own", "PUT", Document, "BRT0405", 405) with { Body = """{"openapi":"3.1.1"}""" },
        Pulp("openapi: anonymous body", "POST", Document, Unauthenticated, 401) with { Body = "x", Anonymous = true },
    ];
}
