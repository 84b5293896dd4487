using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.Server.Criteria;

/// <summary>
/// A JSON document's fields, walked as PostgreSQL's lax JSON paths walk them, so that the embedded store and
/// PostgreSQL answer a criteria alike: a step that meets an array takes that field of each object in it.
/// </summary>
public sealed class JsonFieldValues(JsonObject document) : IFieldValues
{
    public bool Has(FieldPath field) => Walk(field).Any();

    public IEnumerable<CriteriaValue> ValuesOf(FieldPath field) =>
        Walk(field).SelectMany(node => node is JsonArray array ? array.Select(CriteriaValue.Of) : [CriteriaValue.Of(node)]);

    public CriteriaValue? SortValueOf(FieldPath field)
    {
        ArgumentNullException.ThrowIfNull(field);
        JsonNode? node = document;
        foreach (var segment in field.Segments)
        {
            switch (node)
            {
                case JsonObject fields when fields.TryGetPropertyValue(segment, out var value):
                    node = value;
                    break;
                case JsonArray elements when int.TryParse(segment, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index)
                        && (index < 0 ? elements.Count + index : index) is var at && at >= 0 && at < elements.Count:
                    node = elements[at];
                    break;
                default:
                    return null;
            }
        }

        return CriteriaValue.Of(node);
    }

    private IEnumerable<JsonNode?> Walk(FieldPath field)
    {
        ArgumentNullException.ThrowIfNull(field);
        IEnumerable<JsonNode?> nodes = [document];
        foreach (var segment in field.Segments)
        {
            nodes = nodes.SelectMany(node => Step(node, segment)).ToList();
        }

        return nodes;
    }

    private static IEnumerable<JsonNode?> Step(JsonNode? node, string segment) => node switch
    {
        JsonObject fields when fields.TryGetPropertyValue(segment, out var value) => [value],
        JsonArray elements => elements.OfType<JsonObject>().Where(e => e.ContainsKey(segment)).Select(e => e[segment]),
        _ => [],
    };
}
