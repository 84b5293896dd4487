using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.EndToEnd;

/// <summary>TLS with Kestrel's own configuration, as the README shows it, with a certificate made by the test.</summary>
[NonParallelizable]
public sealed class HttpsTests : FolderPerTest
{
    /// <summary>A self-signed certificate for 127.0.0.1 and localhost, written as PEM files.</summary>
    private (X509Certificate2 Certificate, string CertificatePath, string KeyPath) MakeCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=berth-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificatePath = Folder.Combine("tls", "ca.crt");
        var keyPath = Folder.Combine("key.pem");
        Directory.CreateDirectory(Path.GetDirectoryName(certificatePath)!);
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificate, certificatePath, keyPath);
    }

    [Test]
    public async Task TheServer_ServesTls_WithAPemCertificate_AndSkopeoVerifiesIt()
    {
        var (certificate, certificatePath, keyPath) = MakeCertificate();
        using (certificate)
        {
            await using var server = await ServerProcess.StartAsync(ServerProcess.StartInfo(
                Folder.Path,
                "--urls", "https://127.0.0.1:0",
                "--data-dir", Folder.Combine("data"),
                $"--Kestrel:Certificates:Default:Path={certificatePath}",
                $"--Kestrel:Certificates:Default:KeyPath={keyPath}"));
            Assert.That(server.BaseAddress.Scheme, Is.EqualTo("https"));

            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, presented, _, errors) =>
                    errors == SslPolicyErrors.None || presented?.Thumbprint == certificate.Thumbprint,
            };
            using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress }.SignIn();
            using (var status = await client.GetAsync($"{ContentApiClient.Root}/status/"))
            {
                Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }

            using (var plain = new HttpClient { BaseAddress = server.BaseAddress })
            {
                Assert.That(async () => await plain.GetAsync("/v2/"), Throws.InstanceOf<HttpRequestException>(), "an unknown certificate is refused by default");
            }

            Skopeo.Require();
            var image = ImageGenerator.Build(layers: 1);
            var source = Folder.Combine("image");
            ImageGenerator.WriteDirectory(image, source);
            var certificates = Path.GetDirectoryName(certificatePath)!;
            var credentials = $"{TestCredentials.AdminLogin}:{TestCredentials.AdminPassword}";
            await Skopeo.RunAsync("copy", "--dest-cert-dir", certificates, "--dest-creds", credentials, $"dir:{source}", $"docker://{server.BaseAddress.Authority}/tls/app:1");
            var inspect = await Skopeo.RunAsync("inspect", "--cert-dir", certificates, "--creds", credentials, $"docker://{server.BaseAddress.Authority}/tls/app:1");
            Assert.That(inspect, Does.Contain(image.Digest.ToString()));
        }
    }
}
