using System.Net;
using Berth.Server.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>The sign-in throttle's own table: bounded however many addresses fail, IPv6 counted by network, attempts counted as they start.</summary>
public sealed class LoginThrottleTests
{
    private static void Fail(LoginThrottle throttle, IPAddress address)
    {
        using var attempt = throttle.Begin(address);
        attempt.Fail();
    }

    [Test]
    public void ManyAddressesFailingOnce_DoNotGrowTheTableForGood()
    {
        var clock = new ManualClock();
        var throttle = new LoginThrottle(clock, maxFailuresPerMinute: 10);
        for (var i = 0; i < LoginThrottle.SweepAbove; i++)
        {
            Fail(throttle, new IPAddress(BitConverter.GetBytes(0x0a000000 + i)));
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        Fail(throttle, IPAddress.Parse("192.0.2.1"));

        Assert.That(throttle.Count, Is.EqualTo(1), "addresses whose failures expired are forgotten");
    }

    [Test]
    public void AnIpv6Client_RotatingAddressesInItsNetwork_IsThrottledAsOne()
    {
        var throttle = new LoginThrottle(new ManualClock(), maxFailuresPerMinute: 3);
        for (var i = 1; i <= 3; i++)
        {
            Fail(throttle, IPAddress.Parse($"2001:db8:1:2::{i:x}"));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => throttle.Begin(IPAddress.Parse("2001:db8:1:2:ffff::9")), Throws.TypeOf<AccessDeniedException>());
            Assert.That(() => throttle.Begin(IPAddress.Parse("2001:db8:1:3::1")).Dispose(), Throws.Nothing, "another network");
            Assert.That(() => throttle.Begin(IPAddress.Parse("192.0.2.1")).Dispose(), Throws.Nothing);
        }
    }

    /// <summary>Concurrent guesses count while they are checked: a burst cannot pass together before the first one fails.</summary>
    [Test]
    public void AttemptsUnderWay_CountAgainstTheLimit_AndASuccessGivesItsPlaceBack()
    {
        var throttle = new LoginThrottle(new ManualClock(), maxFailuresPerMinute: 3);
        var address = IPAddress.Parse("192.0.2.7");
        var underWay = Enumerable.Range(0, 3).Select(_ => throttle.Begin(address)).ToList();
        Assert.That(() => throttle.Begin(address), Throws.TypeOf<AccessDeniedException>(), "three attempts under way fill the limit");

        underWay[0].Dispose();
        using (var again = throttle.Begin(address))
        {
            Assert.That(again, Is.Not.Null, "a success gives its place back");
        }

        underWay[1].Fail();
        underWay[2].Fail();
        using (throttle.Begin(address))
        {
            Assert.That(() => throttle.Begin(address), Throws.TypeOf<AccessDeniedException>(), "two failures and one under way");
        }
    }
}
