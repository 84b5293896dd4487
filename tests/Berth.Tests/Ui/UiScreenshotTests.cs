using System.Drawing;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Ui;

/// <summary>
/// The README's screenshots of the main pages, taken of a repository made here. Every run takes them (a page that no
/// longer shows what they show fails here); <c>BERTH_UI_SCREENSHOTS=DIR</c> also writes them to DIR (relative to the
/// repository's root), which is how <c>docs/ui/</c> is made again.
/// </summary>
[NonParallelizable]
public sealed class UiScreenshotTests : UiFixture
{
    private const string Name = "team-app";

    [Test]
    public async Task MainPages_AreScreenshotted()
    {
        var (amd64, arm64) = (TestManifest.OciImage(layers: 2), TestManifest.OciImage(layers: 3));
        await Registry.PushImageAsync(Name, amd64);
        await Registry.PushImageAsync(Name, arm64);
        var index = TestManifest.OciIndex(amd64, arm64);
        await Registry.PushImageAsync(Name, index, "1.0");
        var previous = TestManifest.OciImage();
        await Registry.PushImageAsync(Name, previous, "stable");
        await Registry.PushImageAsync(Name, amd64, "stable");
        await Registry.PushImageAsync(Name, TestManifest.OciArtifact(amd64, "application/vnd.dev.cosign.artifact.sig.v1+json"));
        await Registry.PushImageAsync(Name, TestManifest.OciArtifact(amd64, "application/spdx+json"));

        Browser.Driver.Manage().Window.Size = new Size(1100, 960);
        try
        {
            SignInAsAdmin();
            var taken = new List<string>();
            void Take(string path, string shows, string file)
            {
                Browser.Open(path);
                _ = Browser.Find(shows);
                var target = Path.Combine(TestContext.CurrentContext.WorkDirectory, "ui-screenshots", file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                Browser.SaveScreenshot(target);
                taken.Add(target);
                if (Environment.GetEnvironmentVariable("BERTH_UI_SCREENSHOTS") is { Length: > 0 } asked)
                {
                    var folder = Path.IsPathRooted(asked) ? asked : SourceTree.PathOf(asked);
                    Directory.CreateDirectory(folder);
                    File.Copy(target, Path.Combine(folder, file), overwrite: true);
                }
            }

            Take($"/ui/?q={Name}", "#repositories", "repositories.png");
            Take($"/ui/repositories/{Name}", "#tags", "repository.png");
            Take($"/ui/repositories/{Name}/manifests/{Uri.EscapeDataString(amd64.Digest.ToString())}", "#referrers", "image.png");
            Take($"/ui/repositories/{Name}/tags/stable", "form.rollback", "tag-history.png");

            Assert.That(taken.Select(f => File.ReadAllBytes(f).Take(8)), Has.All.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
        }
        finally
        {
            Browser.Driver.Manage().Window.Size = new Size(1280, 900);
        }
    }
}
