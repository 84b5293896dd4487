using System.Text.Encodings.Web;
using System.Text.Json;

namespace Berth.Cli;

/// <summary>
/// How berth writes JSON, to the terminal and to files (an OCI layout's <c>index.json</c>, the login file): the
/// default encoder escapes <c>+</c>, <c>&lt;</c>, <c>'</c> and every non-ASCII character as <c>\uXXXX</c>, which is
/// valid but unreadable and defeats grep (<c>+00:00</c>, <c>+json</c>). Nothing berth writes is embedded in HTML, so
/// the relaxed encoder, which escapes only what JSON itself requires, is safe here.
/// </summary>
public static class CliJson
{
    public static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>For people: indented.</summary>
    public static JsonSerializerOptions Indented { get; } = new() { WriteIndented = true, Encoder = Encoder };

    /// <summary>For files other programs read, and one-line cells.</summary>
    public static JsonSerializerOptions Compact { get; } = new() { Encoder = Encoder };
}
