using Microsoft.Extensions.Options;

namespace Berth.Server.Configuration;

/// <summary>A PostgreSQL store needs its connection string: a server without one stops at start, saying so.</summary>
public sealed class MetadataValidation : IValidateOptions<BerthOptions>
{
    public ValidateOptionsResult Validate(string? name, BerthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Metadata.Provider == MetadataProvider.PostgreSql && string.IsNullOrWhiteSpace(options.Metadata.ConnectionString)
            ? ValidateOptionsResult.Fail(
                "Berth:Metadata:Provider is PostgreSql but Berth:Metadata:ConnectionString is not set: set it (for example " +
                "\"Host=db;Database=berth;Username=berth;Password=...\") or remove the provider to use the embedded store")
            : ValidateOptionsResult.Success;
    }
}
