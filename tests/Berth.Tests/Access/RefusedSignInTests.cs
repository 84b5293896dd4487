using System.Net;
using Berth.Server.Access;
using Berth.Server.Storage.LiteDb;
using Berth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>Sign-ins that fail leave nothing of the client's choosing in the server's memory.</summary>
public sealed class RefusedSignInTests() : AccessFixture(ServerKind.InProcess, StorageBackend.LiteDb)
{
    [Test]
    public async Task SignInsAsUnknownUsers_AreNotRemembered()
    {
        var store = (LiteDbUserStore)Host.RequireServices().GetRequiredService<IUserStore>();
        using (var known = await Api.Http.GetAsync($"{ContentApiClient.Root}/repositories/"))
        {
            Assert.That(known.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var before = store.CachedUsers;

        // Fewer than the failures an address may make in a minute, so that each one reaches the user store.
        for (var attempt = 0; attempt < 9; attempt++)
        {
            using var guesser = Host.CreateAnonymousClient().SignIn($"{attempt}{new string('x', 4000)}", "guess");
            using var refused = await guesser.GetAsync($"{ContentApiClient.Root}/repositories/");
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        Assert.That(store.CachedUsers, Is.EqualTo(before));
    }
}
