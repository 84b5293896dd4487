using System.Text.Json.Nodes;
using Berth.Server.Errors;
using NUnit.Framework;

namespace Berth.Tests.Errors;

/// <summary>The backstop both APIs' error writers apply: no refusal grows with what the client sent.</summary>
public sealed class ErrorBodyLimitsTests
{
    [Test]
    public void Clamp_ALongMessage_IsCutAndSaysSo()
    {
        var message = ErrorBodyLimits.Clamp(new string('m', 1_000_000));

        Assert.That(message, Has.Length.EqualTo(ErrorBodyLimits.MaxMessageChars).And.EndsWith("(cut)"));
    }

    [Test]
    public void Clamp_AShortMessage_IsUnchanged() => Assert.That(ErrorBodyLimits.Clamp("short"), Is.EqualTo("short"));

    [Test]
    public void Clamp_Details_BoundsArraysObjectsAndStrings_AtEveryDepth()
    {
        var details = new JsonObject
        {
            ["missing"] = new JsonArray([.. Enumerable.Range(0, 25_000).Select(i => JsonValue.Create($"sha256:{i}"))]),
            ["nested"] = new JsonObject { ["problems"] = new JsonArray(JsonValue.Create(new string('p', 100_000))) },
            ["total"] = 25_000,
        };
        for (var i = 0; i < 1000; i++)
        {
            details[$"field-{i}"] = i;
        }

        var clamped = ErrorBodyLimits.Clamp(details)!.AsObject();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(clamped, Has.Count.EqualTo(ErrorBodyLimits.MaxItems));
            Assert.That(clamped["missing"]!.AsArray(), Has.Count.EqualTo(ErrorBodyLimits.MaxItems));
            Assert.That(clamped["nested"]!["problems"]![0]!.GetValue<string>(), Has.Length.EqualTo(ErrorBodyLimits.MaxDetailChars));
            Assert.That(clamped["total"]!.GetValue<int>(), Is.EqualTo(25_000));
            Assert.That(details["missing"]!.AsArray(), Has.Count.EqualTo(25_000), "the original is left as it was");
        }
    }
}
