using System.Net.Http.Headers;
using System.Text;

namespace Berth.Tests.Support;

/// <summary>The administrator every test server starts with, and Basic credentials for clients.</summary>
public static class TestCredentials
{
    public const string AdminLogin = "admin";
    public const string AdminPassword = "berth-test-admin-password";

    public static AuthenticationHeaderValue Basic(string login, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login}:{password}")));

    public static HttpClient SignIn(this HttpClient client, string login = AdminLogin, string password = AdminPassword)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.DefaultRequestHeaders.Authorization = Basic(login, password);
        return client;
    }
}
