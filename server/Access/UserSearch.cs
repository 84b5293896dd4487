using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Server.Criteria;
using Berth.Server.Json;

namespace Berth.Server.Access;

/// <summary>
/// Pulp 2's <c>/users/search/</c>: users as the users API shows them, chosen by a criteria over <c>login</c>,
/// <c>administrator</c>, <c>created</c> (a time) and <c>grants</c> (<c>grants.pattern</c>, <c>grants.actions</c>).
/// Users are few, so they are tested in memory.
/// </summary>
public static class UserSearch
{
    public static FieldCatalog Catalog { get; } = FieldCatalog.Of(
        ["login", "administrator", "created", "grants", "grants.pattern", "grants.actions", "_href"], "created");

    public static JsonArray Find(IEnumerable<User> users, SearchCriteria criteria)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        var documents = users.Select(user => (User: user, Document: Document(user)));
        return new JsonArray([.. criteria.Page(documents, d => new UserFields(d.User, d.Document))
            .Select(d => (JsonNode)criteria.Shape(d.Document, "login", "_href"))]);
    }

    private static JsonObject Document(User user) =>
        JsonSerializer.SerializeToNode(UserResponse.From(user), ContentApiJsonContext.Api.UserResponse)!.AsObject();

    /// <summary>A user's fields: as shown, but <c>created</c> a time.</summary>
    private sealed class UserFields(User user, JsonObject document) : IFieldValues
    {
        private readonly JsonFieldValues _shown = new(document);

        public bool Has(FieldPath field) => _shown.Has(field);

        public IEnumerable<CriteriaValue> ValuesOf(FieldPath field) =>
            field.Name == "created" ? [new CriteriaValue.Time(user.Created)] : _shown.ValuesOf(field);

        public CriteriaValue? SortValueOf(FieldPath field) =>
            field.Name == "created" ? new CriteriaValue.Time(user.Created) : _shown.SortValueOf(field);
    }
}
