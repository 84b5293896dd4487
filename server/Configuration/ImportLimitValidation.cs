using Microsoft.Extensions.Options;

namespace Berth.Server.Configuration;

/// <summary>Refuses to start with import limits out of range, naming each setting at fault.</summary>
public sealed class ImportLimitValidation : IValidateOptions<BerthOptions>
{
    public ValidateOptionsResult Validate(string? name, BerthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Imports.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
