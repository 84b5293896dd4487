using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.Server.Configuration;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Docs;

/// <summary>
/// The README's configuration reference (the table headed <c>| Setting | Default | Meaning |</c>) lists every setting
/// of the options classes with its default, and nothing else but the host's own settings the server relies on.
/// </summary>
/// <remarks>
/// How a setting is found, so that a new options class is covered without touching this test:
/// <list type="bullet">
/// <item>An options class is a public class of the namespace <c>Berth.Server.Configuration</c> whose name ends in
/// <c>Options</c>.</item>
/// <item><see cref="BerthOptions"/> is bound at <c>Berth</c>. A property whose type is an options class is a section
/// named after the property (<c>BerthOptions.Auth</c>: <c>Berth:Auth</c>), read the same way, to any depth.</item>
/// <item>An options class no property leads to is bound on its own, and says where with
/// <c>public const string Section = "Berth:Name"</c> (the whole path, from <c>Berth:</c>).</item>
/// <item>A list of options classes is a list of sections, written with the index <c>N</c>
/// (<c>Berth:Notifications:Endpoints:N:Url</c>); a list of values is <c>...:N</c>, a dictionary <c>...:NAME</c>,
/// both empty (<c>unset</c>) by default.</item>
/// <item>Every other public property with a public setter is a setting; one without a setter (a value derived from
/// settings) is not. Its default is what a new instance holds.</item>
/// </list>
/// In the table, a setting's name is in backquotes in the first column; the second column starts with its default in
/// backquotes, written as configuration takes it (<c>true</c>, <c>1048576</c>, <c>00:05:00</c>), or <c>unset</c>;
/// the third says what it does. Rows for settings outside <c>Berth:</c> are checked against <see cref="HostSettings"/>.
/// </remarks>
public sealed partial class ConfigurationReferenceTests
{
    private const string TableHeader = "| Setting | Default | Meaning |";
    private const string Unset = "unset";

    /// <summary>What the server reads besides its options classes, that the table documents too.</summary>
    private static readonly string[] HostSettings =
    [
        "Urls",
        "BERTH_ADMIN_PASSWORD",
        "Logging:LogLevel:Default",
        "Logging:LogLevel:Microsoft.AspNetCore",
        "Logging:LogLevel:Berth.Audit",
        "Logging:LogLevel:Berth.Requests",
        "Logging:Console:FormatterName",
        "Kestrel:Certificates:Default:Path",
        "Kestrel:Certificates:Default:KeyPath",
    ];

    [Test]
    public void TheTable_ListsEverySettingOfTheOptionsClasses_WithItsDefault()
    {
        var rows = TableRows();
        var settings = Settings();
        using (Assert.EnterMultipleScope())
        {
            foreach (var (name, value) in settings)
            {
                if (!rows.TryGetValue(name, out var row))
                {
                    Assert.Fail($"the README's configuration table has no row for {name} (default `{value}`)");
                }
                else
                {
                    Assert.That(row.Default, Is.EqualTo(value), $"the default of {name} in the README's configuration table");
                    Assert.That(row.Meaning, Is.Not.Empty, $"what {name} does, in the README's configuration table");
                }
            }

            foreach (var name in rows.Keys.Where(n => !settings.ContainsKey(n) && !HostSettings.Contains(n)))
            {
                Assert.Fail($"the README's configuration table has a row for {name}, which is no setting of an options class (nor one of the host's)");
            }

            Assert.That(HostSettings.Where(n => !rows.ContainsKey(n)), Is.Empty, "host settings the README's configuration table lacks");
            foreach (var (name, value) in ShippedSettings().Where(s => HostSettings.Contains(s.Key) && rows.ContainsKey(s.Key)))
            {
                Assert.That(rows[name].Default, Is.EqualTo(value), $"the default of {name} (server/appsettings.json) in the README's configuration table");
            }
        }
    }

    [Test]
    public void EveryOptionsClass_IsReachedFromBerthOptionsOrNamesItsSection()
    {
        var reached = new HashSet<Type>();
        _ = Settings(reached);
        Assert.That(OptionsClasses().Where(t => !reached.Contains(t)).Select(t => t.Name), Is.Empty);
    }

    /// <summary>Every setting of the options classes, by its configuration path, with its default as the table writes it.</summary>
    private static Dictionary<string, string> Settings(HashSet<Type>? reached = null)
    {
        reached ??= [];
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(typeof(BerthOptions), BerthOptions.Section, settings, reached);
        var nested = OptionsClasses()
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .Select(p => p.PropertyType)
            .ToHashSet();
        foreach (var root in OptionsClasses().Where(t => t != typeof(BerthOptions) && !nested.Contains(t)))
        {
            var section = root.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string;
            if (section is not null && section.StartsWith($"{BerthOptions.Section}:", StringComparison.Ordinal))
            {
                Walk(root, section, settings, reached);
            }
        }

        return settings;
    }

    private static void Walk(Type options, string path, Dictionary<string, string> settings, HashSet<Type> reached)
    {
        reached.Add(options);
        var fresh = Activator.CreateInstance(options);
        foreach (var property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
        {
            var name = $"{path}:{property.Name}";
            var type = property.PropertyType;
            if (IsOptionsClass(type))
            {
                Walk(type, name, settings, reached);
            }
            else if (Keyed(type, typeof(Dictionary<,>)) is not null)
            {
                settings[$"{name}:NAME"] = Unset;
            }
            else if (Keyed(type, typeof(List<>)) is [var item])
            {
                if (IsOptionsClass(item))
                {
                    Walk(item, $"{name}:N", settings, reached);
                }
                else
                {
                    settings[$"{name}:N"] = Unset;
                }
            }
            else
            {
                settings[name] = Written(property.GetValue(fresh));
            }
        }
    }

    // A list's items and a dictionary's entries are settings under an index (N) or a key (NAME): none by default.
    private static Type[]? Keyed(Type type, Type generic) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == generic ? type.GetGenericArguments()[^1..] : null;

    // A default as configuration would take it back.
    private static string Written(object? value) => value switch
    {
        null => Unset,
        bool flag => flag ? "true" : "false",
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? Unset,
    };

    /// <summary>What <c>server/appsettings.json</c> sets, by configuration path.</summary>
    private static Dictionary<string, string> ShippedSettings()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        void Flatten(JsonNode? node, string path)
        {
            if (node is JsonObject section)
            {
                foreach (var (key, value) in section)
                {
                    Flatten(value, path.Length == 0 ? key : $"{path}:{key}");
                }
            }
            else if (node is not null)
            {
                settings[path] = node.ToString();
            }
        }

        Flatten(JsonNode.Parse(File.ReadAllText(SourceTree.PathOf("server/appsettings.json"))), string.Empty);
        return settings;
    }

    private static IEnumerable<Type> OptionsClasses() =>
        typeof(BerthOptions).Assembly.GetExportedTypes().Where(IsOptionsClass);

    private static bool IsOptionsClass(Type type) =>
        type is { IsClass: true, Namespace: "Berth.Server.Configuration" } && type.Name.EndsWith("Options", StringComparison.Ordinal);

    /// <summary>The table's rows by setting name; fails on a row that is not in the table's form.</summary>
    private static Dictionary<string, (string Default, string Meaning)> TableRows()
    {
        var lines = File.ReadAllLines(SourceTree.PathOf("README.md"));
        var header = Array.IndexOf(lines, TableHeader);
        Assert.That(header, Is.GreaterThan(0), $"the README has a configuration table headed '{TableHeader}'");
        var rows = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var row = Row().Match(line);
            Assert.That(row.Success, Is.True, $"a row of the configuration table not in its form (| `Name` | `default` ... | meaning |):\n{line}");
            var name = row.Groups["name"].Value;
            Assert.That(rows.TryAdd(name, (row.Groups["default"].Value, row.Groups["meaning"].Value.Trim())), Is.True, $"{name} has two rows in the configuration table");
        }

        return rows;
    }

    [GeneratedRegex(@"^\| `(?<name>[^`]+)` \| `(?<default>[^`]*)`[^|]* \|(?<meaning>[^|]*)\|$")]
    private static partial Regex Row();
}
