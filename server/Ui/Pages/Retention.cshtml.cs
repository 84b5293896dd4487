using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Server.Access;
using Berth.Server.Repositories;
using Berth.Server.Retention;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Server.Ui.Pages;

/// <summary>
/// A repository's retention policy: read by those who may pull it, changed by its administrators, who see what a
/// policy would remove now (and why each tag goes or stays) before they save it. Saving removes nothing by itself.
/// </summary>
public sealed class RetentionModel(AccessControl access, IRetentionPolicyStore policies, RetentionService retention, Audit audit) : UiPage
{
    public const int RuleRows = 5;

    [FromRoute(Name = "id")]
    public string Id { get; set; } = string.Empty;

    [BindProperty(Name = "pattern")]
    public List<string?> Patterns { get; set; } = [];

    [BindProperty(Name = "keep")]
    public List<string?> Keeps { get; set; } = [];

    [BindProperty(Name = "untagged_days")]
    public string? UntaggedDays { get; set; }

    [BindProperty(Name = "saved", SupportsGet = true)]
    public bool Saved { get; set; }

    public Repository? Repository { get; private set; }

    public RetentionPolicy? Current { get; private set; }

    public bool MayEdit { get; private set; }

    public RetentionPreview? Preview { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        await ReadAsync(AccessAction.Pull);
        if (Current is { } current)
        {
            Patterns = [.. current.Tags.Select(t => (string?)t.Pattern)];
            Keeps = [.. current.Tags.Select(t => (string?)t.Keep.ToString(CultureInfo.InvariantCulture))];
            UntaggedDays = current.UntaggedOlderThan is { } age ? ((long)age.TotalDays).ToString(CultureInfo.InvariantCulture) : null;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostPreviewAsync()
    {
        await ReadAsync(AccessAction.Admin);
        if (Proposed(out var problem) is not { } policy)
        {
            return Failed(StatusCodes.Status400BadRequest, problem!);
        }

        var plan = await retention.PreviewAsync(Repository!.Id, policy, HttpContext.RequestAborted);
        Preview = RetentionPreview.Of(plan, policy);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync()
    {
        await ReadAsync(AccessAction.Admin);
        if (Proposed(out var problem) is not { } policy)
        {
            return Failed(StatusCodes.Status400BadRequest, problem!);
        }

        if (!await policies.SaveAsync(Repository!.Id, policy, HttpContext.RequestAborted))
        {
            return Failed(StatusCodes.Status404NotFound, $"Repository {Id} is gone.");
        }

        await audit.RecordAsync(HttpContext, "retention.set", Id, policy.ToString());
        return Redirect($"{UiPaths.Retention(Id)}?saved=true");
    }

    private async Task ReadAsync(AccessAction action)
    {
        Repository = await access.RepositoryAsync(HttpContext, Id, action);
        Current = await policies.FindAsync(Repository.Id, HttpContext.RequestAborted);
        MayEdit = Reader.AllowedOn(Repository).HasFlag(AccessAction.Admin);
    }

    /// <summary>The policy the form holds, read as the content API reads one, so that both refuse the same things.</summary>
    private RetentionPolicy? Proposed(out string? problem)
    {
        problem = null;
        if (!ModelState.IsValid || Patterns.Count > RuleRows * 4 || Keeps.Count > RuleRows * 4)
        {
            problem = "The form is not one this page made: reload it and try again.";
            return null;
        }

        var rules = new JsonArray();
        for (var i = 0; i < Math.Max(Patterns.Count, Keeps.Count); i++)
        {
            var (pattern, keep) = (Patterns.ElementAtOrDefault(i)?.Trim(), Keeps.ElementAtOrDefault(i)?.Trim());
            if (string.IsNullOrEmpty(pattern) && string.IsNullOrEmpty(keep))
            {
                continue;
            }

            if (!long.TryParse(keep, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                problem = $"Rule {i + 1}: say how many of the tags matching '{pattern}' to keep, as a whole number.";
                return null;
            }

            rules.Add(new JsonObject { ["pattern"] = pattern, ["keep"] = count });
        }

        var body = new JsonObject { ["tags"] = rules };
        if (!string.IsNullOrWhiteSpace(UntaggedDays))
        {
            if (!long.TryParse(UntaggedDays.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days > 36_500)
            {
                problem = "Give the age of untagged manifests in whole days (at most 36500), or leave it empty.";
                return null;
            }

            body["untagged_older_than_seconds"] = days * 86_400;
        }

        try
        {
            return RetentionPolicy.Read(body);
        }
        catch (Errors.ApiException e)
        {
            problem = e.Message;
            return null;
        }
    }
}
