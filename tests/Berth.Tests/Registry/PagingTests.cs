using System.Globalization;
using System.Net;
using System.Text.Json;
using Berth.Server.Registry;
using Berth.Tests.Support;
using Microsoft.AspNetCore.Http;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Registry;

/// <summary>
/// Pen-test finding 8i (issue 18): <c>n=2147483647</c> on the tags list and the catalog answered an empty list (an
/// overflow). Any whole number is a valid <c>n</c>; past the largest page (<c>Berth:MaxPageSize</c>, 3 here) it is
/// served capped, with a <c>Link</c> that carries the size served, as the distribution spec allows.
/// </summary>
[TestFixture]
public sealed class PagingTests() : RegistryFixture(ServerKind.InProcess)
{
    private const int MaxPageSize = 3;

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["Berth:MaxPageSize"] = MaxPageSize.ToString(CultureInfo.InvariantCulture),
    };

    [TestCase("2147483647")]
    [TestCase("99999999999")]
    [TestCase("99999999999999999999999999999999")]
    [TestCase("4")]
    public async Task Tags_NPastTheMaximum_ServesAFullPageAndALinkToTheRest(string n)
    {
        var name = NewName();
        await PushTagsAsync(name, "e", "d", "c", "b", "a");

        using var first = await Registry.Http.GetAsync($"/v2/{name}/tags/list?n={n}");
        var link = Header(first, "Link");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await ReadListAsync(first, "tags"), Is.EqualTo(new[] { "a", "b", "c" }));
            Assert.That(link, Is.EqualTo($"</v2/{name}/tags/list?n={MaxPageSize}&last=c>; rel=\"next\""));
        }

        using var rest = await Registry.Http.GetAsync(link[1..link.IndexOf('>', StringComparison.Ordinal)]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await ReadListAsync(rest, "tags"), Is.EqualTo(new[] { "d", "e" }));
            Assert.That(rest.Headers.Contains("Link"), Is.False);
        }
    }

    [Test]
    public async Task Tags_WithoutN_AreAllListed_PastTheMaximum()
    {
        var name = NewName();
        await PushTagsAsync(name, "e", "d", "c", "b", "a");

        using var all = await Registry.Http.GetAsync($"/v2/{name}/tags/list");
        using var within = await Registry.Http.GetAsync($"/v2/{name}/tags/list?n=002");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await ReadListAsync(all, "tags"), Is.EqualTo(new[] { "a", "b", "c", "d", "e" }));
            Assert.That(all.Headers.Contains("Link"), Is.False);
            Assert.That(await ReadListAsync(within, "tags"), Is.EqualTo(new[] { "a", "b" }));
            Assert.That(Header(within, "Link"), Is.EqualTo($"</v2/{name}/tags/list?n=2&last=b>; rel=\"next\""));
        }
    }

    [TestCase("2147483647")]
    [TestCase("99999999999")]
    public async Task Catalog_NPastTheMaximum_ServesAFullPageAndALinkToTheRest(string n)
    {
        var prefix = "paging/" + NewRepositoryId();
        foreach (var suffix in new[] { "e", "d", "c", "b", "a" })
        {
            await Registry.StartUploadAsync($"{prefix}/{suffix}");
        }

        using var page = await Registry.Http.GetAsync($"/v2/_catalog?n={n}&last={Uri.EscapeDataString(prefix + "/")}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await ReadListAsync(page, "repositories"), Is.EqualTo(new[] { $"{prefix}/a", $"{prefix}/b", $"{prefix}/c" }));
            Assert.That(Header(page, "Link"), Is.EqualTo($"</v2/_catalog?n={MaxPageSize}&last={Uri.EscapeDataString($"{prefix}/c")}>; rel=\"next\""));
        }
    }

    private async Task PushTagsAsync(string name, params string[] tags)
    {
        var image = TestManifest.DockerImage();
        await Registry.PushImageAsync(name, image, tags[0]);
        foreach (var tag in tags.Skip(1))
        {
            using var put = await Registry.PutManifestAsync(name, tag, image.Bytes, image.MediaType);
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }
    }

    private static async Task<string[]> ReadListAsync(HttpResponseMessage response, string property)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];
    }
}

/// <summary><see cref="Paging.Read"/> on its own: what <c>n</c> may be, and what a page holds.</summary>
public sealed class PagingReadTests
{
    private static readonly string[] Names = [.. Enumerable.Range(0, 1500).Select(i => i.ToString("d4", CultureInfo.InvariantCulture))];

    [Test]
    public void Read_NIsIntMaxValue_ServesTheWholeShortList()
    {
        // The overflow of finding 8i: Take(n + 1) with n = int.MaxValue took nothing.
        var page = Paging.Read(Request("n=2147483647"), ["a", "b"], 1000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Items, Is.EqualTo(new[] { "a", "b" }));
            Assert.That(page.More, Is.False);
        }
    }

    [TestCase("1000")]
    [TestCase("1001")]
    [TestCase("2147483646")]
    [TestCase("2147483647")]
    [TestCase("2147483648")]
    [TestCase("99999999999")]
    [TestCase("9223372036854775808")]
    [TestCase("000000000000000000000000000000000000000099999999999999999999999999999999")]
    public void Read_NAtOrPastTheMaximum_ServesTheMaximumAndLinksOn(string n)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?n=" + n);

        var page = Paging.Read(context.Request, Names, 1000);
        Paging.LinkNext(context, "/v2/x/tags/list", page);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Items, Is.EqualTo(Names[..1000]));
            Assert.That(page.Size, Is.EqualTo(1000));
            Assert.That(page.More, Is.True);
            Assert.That(context.Response.Headers.Link.ToString(), Is.EqualTo("</v2/x/tags/list?n=1000&last=0999>; rel=\"next\""));
        }
    }

    [TestCase("1", 1, true)]
    [TestCase("007", 7, true)]
    [TestCase("1499", 1499, true)]
    [TestCase("1500", 1500, false)]
    public void Read_NWithinTheMaximum_ServesN(string n, int expected, bool more)
    {
        var page = Paging.Read(Request("n=" + n), Names, 2000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Items, Is.EqualTo(Names[..expected]));
            Assert.That(page.Size, Is.EqualTo(expected));
            Assert.That(page.More, Is.EqualTo(more));
        }
    }

    [Test]
    public void Read_NZero_ServesNothing_AndNoLink()
    {
        // The spec: n=0 answers an empty list and no Link header.
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?n=0");

        var page = Paging.Read(context.Request, Names, 1000);
        Paging.LinkNext(context, "/v2/x/tags/list", page);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Items, Is.Empty);
            Assert.That(context.Response.Headers.ContainsKey("Link"), Is.False);
        }
    }

    [Test]
    public void Read_WithoutN_ServesEverything()
    {
        var page = Paging.Read(Request(string.Empty), Names, 10);

        Assert.That(page.Items, Has.Count.EqualTo(Names.Length));
    }

    [TestCase("n=")]
    [TestCase("n=-1")]
    [TestCase("n=-0")]
    [TestCase("n=%2B1")]
    [TestCase("n=%201")]
    [TestCase("n=1.0")]
    [TestCase("n=1e3")]
    [TestCase("n=0x10")]
    [TestCase("n=%D9%A1")]
    [TestCase("n=%EF%BC%91")]
    [TestCase("n=1&n=2")]
    public void Read_NNotAWholeNumber_IsRefused(string query)
    {
        var refusal = Assert.Throws<RegistryException>(() => Paging.Read(Request(query), Names, 1000));

        Assert.That(refusal.Error, Is.EqualTo(RegistryError.PaginationNumberInvalid));
    }

    private static HttpRequest Request(string query)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?" + query);
        return context.Request;
    }
}

/// <summary>A largest page below one item is a configuration mistake, stated at start-up.</summary>
[NonParallelizable]
public sealed class MaxPageSizeConfigurationTests : FolderPerTest
{
    [Test]
    public void MaxPageSize_BelowOne_StopsStartUpWithAMessage()
    {
        var failure = Assert.ThrowsAsync<InvalidOperationException>(
            () => ServerProcess.StartAsync(Folder.Path, "--data-dir", Folder.Combine("data"), "--Berth:MaxPageSize=0"));

        Assert.That(failure!.Message, Does.Contain("berth: cannot start: Berth:MaxPageSize must be at least 1"));
    }
}
