using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Server.Errors;

namespace Berth.Server.Json;

/// <summary>
/// Reads a JSON request body, one object or one array, within a size limit. Any content type is accepted, since curl
/// users often forget the header; anything else is refused with a message that says why.
/// </summary>
public static class JsonRequest
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowDuplicateProperties = false,
        MaxDepth = 64,
    };

    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken) =>
        await ReadAsync(request, maxBytes, "a JSON object", cancellationToken) as JsonObject ?? throw ApiException.Invalid("the request body must be a JSON object");

    public static async Task<JsonArray> ReadArrayAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken) =>
        await ReadAsync(request, maxBytes, "a JSON array", cancellationToken) as JsonArray ?? throw ApiException.Invalid("the request body must be a JSON array");

    private static async Task<JsonNode?> ReadAsync(HttpRequest request, long maxBytes, string expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        var body = new ArrayBufferWriter<byte>();
        while (true)
        {
            var memory = body.GetMemory(16 * 1024);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                break;
            }

            body.Advance(read);
            if (body.WrittenCount > maxBytes)
            {
                throw TooLarge(maxBytes);
            }
        }

        if (body.WrittenCount == 0)
        {
            throw ApiException.Invalid($"the request needs {expected} as its body");
        }

        // JsonNode decodes strings lazily: invalid UTF-8 would surface later, far from here, as a server error.
        if (!System.Text.Unicode.Utf8.IsValid(body.WrittenSpan))
        {
            throw ApiException.Invalid("the request body is not valid JSON: it is not UTF-8");
        }

        try
        {
            return JsonNode.Parse(body.WrittenSpan, documentOptions: DocumentOptions);
        }
        catch (JsonException e)
        {
            throw ApiException.Invalid($"the request body is not valid JSON: {e.Message}");
        }
    }

    private static TooLargeException TooLarge(long maxBytes) =>
        new($"the request body is larger than the {maxBytes} bytes accepted for JSON requests", maxBytes);
}
