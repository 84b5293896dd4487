using System.Net;
using Berth.Server.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>
/// The sign-in throttle's own table: counted per login and address with a ceiling per address, refusals that say
/// when to try again, bounded however many addresses fail, IPv6 counted by network, attempts counted as they start.
/// </summary>
public sealed class LoginThrottleTests
{
    private static readonly IPAddress Shared = IPAddress.Parse("192.0.2.7");

    private static void Fail(LoginThrottle throttle, IPAddress address, string login = "guesser")
    {
        using var attempt = throttle.Begin(login, address);
        attempt.Fail();
    }

    private static AccessDeniedException Refusal(LoginThrottle throttle, IPAddress address, string login = "guesser") =>
        Assert.Throws<AccessDeniedException>(() => throttle.Begin(login, address).Dispose())!;

    [Test]
    public void ManyAddressesFailingOnce_DoNotGrowTheTableForGood()
    {
        var clock = new ManualClock();
        var throttle = new LoginThrottle(clock, maxFailuresPerLogin: 10, maxFailuresPerAddress: 100);
        for (var i = 0; i < LoginThrottle.SweepAbove; i++)
        {
            Fail(throttle, new IPAddress(BitConverter.GetBytes(0x0a000000 + i)));
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        Fail(throttle, IPAddress.Parse("192.0.2.1"));

        Assert.That(throttle.Count, Is.EqualTo(2), "logins and addresses whose failures expired are forgotten; the last one's address and login stay");
    }

    [Test]
    public void AnIpv6Client_RotatingAddressesInItsNetwork_IsThrottledAsOne()
    {
        var throttle = new LoginThrottle(new ManualClock(), maxFailuresPerLogin: 3, maxFailuresPerAddress: 100);
        for (var i = 1; i <= 3; i++)
        {
            Fail(throttle, IPAddress.Parse($"2001:db8:1:2::{i:x}"));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => throttle.Begin("guesser", IPAddress.Parse("2001:db8:1:2:ffff::9")), Throws.TypeOf<AccessDeniedException>());
            Assert.That(() => throttle.Begin("guesser", IPAddress.Parse("2001:db8:1:3::1")).Dispose(), Throws.Nothing, "another network");
            Assert.That(() => throttle.Begin("guesser", IPAddress.Parse("192.0.2.1")).Dispose(), Throws.Nothing);
        }
    }

    /// <summary>
    /// A check (a password verified lately) counts as no attempt, however many are under way, but is refused where an
    /// attempt would be: when failures fill the limit, and when attempts under way do.
    /// </summary>
    [Test]
    public void Checks_CountAsNoAttempt_ButAreRefusedWhereAnAttemptWouldBe()
    {
        var throttle = new LoginThrottle(new ManualClock(), maxFailuresPerLogin: 2, maxFailuresPerAddress: 100);
        for (var i = 0; i < 10; i++)
        {
            throttle.Check("user", Shared);
        }

        using (var first = throttle.Begin("user", Shared))
        using (var second = throttle.Begin("user", Shared))
        {
            Assert.That(() => throttle.Check("user", Shared), Throws.TypeOf<AccessDeniedException>(), "two attempts under way fill the limit");
        }

        Fail(throttle, Shared, "user");
        Fail(throttle, Shared, "user");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => throttle.Check("user", Shared), Throws.TypeOf<AccessDeniedException>(), "failures fill the limit");
            Assert.That(() => throttle.Check("colleague", Shared), Throws.Nothing, "another login from the address");
        }
    }

    /// <summary>Concurrent guesses count while they are checked: a burst cannot pass together before the first one fails.</summary>
    [Test]
    public void AttemptsUnderWay_CountAgainstTheLimit_AndASuccessGivesItsPlaceBack()
    {
        var throttle = new LoginThrottle(new ManualClock(), maxFailuresPerLogin: 3, maxFailuresPerAddress: 100);
        var underWay = Enumerable.Range(0, 3).Select(_ => throttle.Begin("guesser", Shared)).ToList();
        Assert.That(Refusal(throttle, Shared).RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(1)), "three attempts under way fill the limit; they end in a moment");

        underWay[0].Dispose();
        using (var again = throttle.Begin("guesser", Shared))
        {
            Assert.That(again, Is.Not.Null, "a success gives its place back");
        }

        underWay[1].Fail();
        underWay[2].Fail();
        using (throttle.Begin("guesser", Shared))
        {
            Assert.That(() => throttle.Begin("guesser", Shared), Throws.TypeOf<AccessDeniedException>(), "two failures and one under way");
        }
    }

    [Test]
    public void OneLoginThrottled_DoesNotThrottleAnotherFromTheSameAddress()
    {
        var throttle = new LoginThrottle(new ManualClock(), maxFailuresPerLogin: 3, maxFailuresPerAddress: 100);
        for (var i = 0; i < 3; i++)
        {
            Fail(throttle, Shared, "broken-script");
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Refusal(throttle, Shared, "broken-script").Failure, Is.EqualTo(AccessFailure.TooManyAttempts));
            Assert.That(() => throttle.Begin("colleague", Shared).Dispose(), Throws.Nothing);
        }
    }

    /// <summary>A refusal says how long until the oldest failure that fills the limit is a minute old, and then a try is accepted.</summary>
    [Test]
    public void ARefusal_SaysWhenATryWouldBeAccepted_AndOneIsThen()
    {
        var clock = new ManualClock();
        var throttle = new LoginThrottle(clock, maxFailuresPerLogin: 3, maxFailuresPerAddress: 100);
        Fail(throttle, Shared);
        clock.Advance(TimeSpan.FromSeconds(10));
        Fail(throttle, Shared);
        clock.Advance(TimeSpan.FromSeconds(10));
        Fail(throttle, Shared);
        clock.Advance(TimeSpan.FromSeconds(0.5));
        var refusal = Refusal(throttle, Shared);
        Assert.That(refusal.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(40)), "the first failure (20.5 s ago) is a minute old in 39.5 s, rounded up");
        Assert.That(refusal.Message, Does.Contain("try again in 40 s"));

        clock.Advance(TimeSpan.FromSeconds(39));
        Assert.That(Refusal(throttle, Shared).RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(1)));
        clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.That(() => throttle.Begin("guesser", Shared).Dispose(), Throws.Nothing, "the first failure is a minute old");
    }

    [Test]
    public void ManyLoginsFailingFromOneAddress_HitTheAddressCeiling_ForEveryLogin()
    {
        var throttle = new LoginThrottle(new ManualClock(), maxFailuresPerLogin: 3, maxFailuresPerAddress: 5);
        foreach (var login in new[] { "a", "b", "c", "d", "e" })
        {
            Fail(throttle, Shared, login);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Refusal(throttle, Shared, "f").Message, Does.Contain("across user names"));
            Assert.That(Refusal(throttle, Shared, "f").RetryAfter, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(() => throttle.Begin("f", IPAddress.Parse("192.0.2.8")).Dispose(), Throws.Nothing, "another address");
        }
    }
}
