using System.Net;
using Berth.Server.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>The sign-in throttle's own table: bounded however many addresses fail, and IPv6 counted by network.</summary>
public sealed class LoginThrottleTests
{
    [Test]
    public void ManyAddressesFailingOnce_DoNotGrowTheTableForGood()
    {
        var clock = new ManualClock();
        var throttle = new LoginThrottle(clock, maxFailuresPerMinute: 10);
        for (var i = 0; i < LoginThrottle.SweepAbove; i++)
        {
            throttle.RecordFailure(new IPAddress(BitConverter.GetBytes(0x0a000000 + i)));
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        throttle.RecordFailure(IPAddress.Parse("192.0.2.1"));

        Assert.That(throttle.Count, Is.EqualTo(1), "addresses whose failures expired are forgotten");
    }

    [Test]
    public void AnIpv6Client_RotatingAddressesInItsNetwork_IsThrottledAsOne()
    {
        var throttle = new LoginThrottle(new ManualClock(), maxFailuresPerMinute: 3);
        for (var i = 1; i <= 3; i++)
        {
            throttle.RecordFailure(IPAddress.Parse($"2001:db8:1:2::{i:x}"));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => throttle.Check(IPAddress.Parse("2001:db8:1:2:ffff::9")), Throws.TypeOf<AccessDeniedException>());
            Assert.That(() => throttle.Check(IPAddress.Parse("2001:db8:1:3::1")), Throws.Nothing, "another network");
            Assert.That(() => throttle.Check(IPAddress.Parse("192.0.2.1")), Throws.Nothing);
        }
    }
}
