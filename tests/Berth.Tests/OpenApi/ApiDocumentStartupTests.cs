using Berth.Server.Hosting;
using Microsoft.AspNetCore.Http;
using NUnit.Framework;

namespace Berth.Tests.OpenApi;

/// <summary>The OpenAPI document needs nothing from the data folder: start-up does not hold it, as it holds other requests.</summary>
public sealed class ApiDocumentStartupTests
{
    [Test]
    public async Task TheDocument_GoesThrough_WhileStartUpHoldsOtherRequests()
    {
        var gate = new StartupGate();
        var passed = new List<string>();
        Task Send(string path)
        {
            var context = new DefaultHttpContext();
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = path;
            return gate.HoldAsync(context, c =>
            {
                passed.Add(c.Request.Path.Value!);
                return Task.CompletedTask;
            });
        }

        var document = Send(ApiContract.DocumentPath);
        var status = Send("/pulp/api/v2/status/");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(document.IsCompletedSuccessfully, Is.True, "the document is answered at once");
            Assert.That(status.IsCompleted, Is.False, "other requests wait for the data folder");
        }

        gate.Open();
        await status.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(passed, Is.EqualTo(new[] { ApiContract.DocumentPath, "/pulp/api/v2/status/" }));
    }
}
