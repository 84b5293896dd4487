using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Server.Access;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Server.Ui.Pages;

/// <summary>
/// A user, for an administrator (or the user themselves, signed in with the password): grants, API tokens, a robot
/// token made with a scope and shown once, and tokens revoked. The user service decides who may, as for the API.
/// </summary>
public sealed class UserModel(UserService users, Authenticator authenticator, UiSession session) : UiPage
{
    public static readonly string[] Actions = ["pull", "push", "delete", "admin"];

    /// <summary>Rows of the grants form (a user may hold more: their grants are shown first, and more are set through the API).</summary>
    public const int GrantRows = 6;

    [FromRoute(Name = "login")]
    public string Login { get; set; } = string.Empty;

    public User? Account { get; private set; }

    public IReadOnlyList<ApiToken> Tokens { get; private set; } = [];

    /// <summary>A token just made: its secret, shown once.</summary>
    public string? NewSecret { get; private set; }

    public string? NewTokenName { get; private set; }

    /// <summary>Whether the password was just changed.</summary>
    public bool PasswordChanged { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        await ReadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostTokenAsync(
        [FromForm(Name = "name")] string? name,
        [FromForm(Name = "pattern")] string? pattern,
        [FromForm(Name = "action")] List<string>? actions,
        [FromForm(Name = "days")] string? days)
    {
        var account = await users.RequireAccountAsync(HttpContext, Login);
        if (!long.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresInDays) || actions is not { Count: > 0 and <= 4 })
        {
            await ReadAsync();
            return Failed(StatusCodes.Status400BadRequest, "Give the token a name, what it may do (at least one action) and its days, as a whole number.");
        }

        // Read as the content API reads a token request, so that both refuse the same things.
        var body = new JsonObject
        {
            ["name"] = name,
            ["scope"] = new JsonArray(new JsonObject { ["pattern"] = pattern, ["actions"] = new JsonArray([.. actions.Select(a => JsonValue.Create(a))]) }),
            ["expires_in_days"] = expiresInDays,
        };
        var (token, secret) = await users.CreateTokenAsync(HttpContext, account, body);
        await ReadAsync();
        (NewSecret, NewTokenName) = (secret, token.Name);
        return Page();
    }

    public async Task<IActionResult> OnPostGrantsAsync([FromForm(Name = "pattern")] List<string?>? patterns, [FromForm(Name = "actions")] List<string?>? actions)
    {
        var account = await users.RequireAccountAsync(HttpContext, Login);
        if (patterns is not { Count: <= GrantRows * 4 } || actions is not { Count: <= GrantRows * 4 })
        {
            await ReadAsync();
            return Failed(StatusCodes.Status400BadRequest, "The form is not one this page made: reload it and try again.");
        }

        // Read as the content API reads a change of grants, so that both refuse the same things.
        await users.UpdateAsync(HttpContext, account, new JsonObject { ["delta"] = new JsonObject { ["grants"] = UiGrants.Read(patterns, actions) } });
        return Redirect(UiPaths.User(Login));
    }

    public async Task<IActionResult> OnPostRevokeAsync([FromForm(Name = "id")] string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64)
        {
            await ReadAsync();
            return Failed(StatusCodes.Status400BadRequest, "Name the token to revoke.");
        }

        await users.RevokeTokenAsync(HttpContext, Login, id);
        return Redirect(UiPaths.User(Login));
    }

    /// <summary>
    /// A new password: one's own only with the current one (a session left open on a shared screen must not be enough
    /// to take the account), someone else's by an administrator. Either way every session and registry token issued
    /// from the old password ends; one's own session goes on with the new one.
    /// </summary>
    public async Task<IActionResult> OnPostPasswordAsync(
        [FromForm(Name = "current")] string? current, [FromForm(Name = "password")] string? password, [FromForm(Name = "again")] string? again)
    {
        var account = await users.RequireAccountAsync(HttpContext, Login);
        await ReadAsync();
        if (string.IsNullOrEmpty(password) || password != again)
        {
            return Failed(StatusCodes.Status400BadRequest, "Type the new password twice, the same both times.");
        }

        var address = HttpContext.Connection.RemoteIpAddress;
        if (account.IsOwn)
        {
            Caller? verified;
            try
            {
                verified = current is { Length: > 0 and <= 1024 } ? await authenticator.SignInAsync(account.Login, current, address, HttpContext.RequestAborted) : null;
            }
            catch (AccessDeniedException e) when (e.Failure == AccessFailure.TooManyAttempts)
            {
                return Failed(StatusCodes.Status429TooManyRequests, "Too many failed sign-ins lately: wait a minute, then try again.");
            }

            if (verified is not { Credential: CredentialKind.Password })
            {
                return Failed(StatusCodes.Status400BadRequest, "The current password is wrong: nothing was changed.");
            }
        }

        // Read as the content API reads a change of password, so that both refuse the same things.
        await users.UpdateAsync(HttpContext, account, new JsonObject { ["delta"] = new JsonObject { ["password"] = password } });
        if (account.IsOwn && await authenticator.SignInAsync(account.Login, password, address, HttpContext.RequestAborted) is { } renewed)
        {
            session.Begin(HttpContext, renewed);
        }

        PasswordChanged = true;
        return Page();
    }

    /// <summary>Deletes the user (administrators): their tokens stop working at once; the last administrator stays.</summary>
    public async Task<IActionResult> OnPostDeleteAsync()
    {
        await users.DeleteAsync(HttpContext, Login);
        return Redirect(UiPaths.Users);
    }

    private async Task ReadAsync()
    {
        Account = await users.GetAsync(HttpContext, Login);
        Tokens = [.. (await users.ListTokensAsync(HttpContext, Login)).OrderBy(t => t.Name, StringComparer.Ordinal)];
    }
}
