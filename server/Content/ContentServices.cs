using Berth.Server.Configuration;
using Berth.Server.Content.S3;

namespace Berth.Server.Content;

/// <summary>The content store chosen by <c>Berth:Content:Provider</c>, timed whichever it is.</summary>
public static class ContentServices
{
    public static IServiceCollection AddContentStore(this IServiceCollection services, ContentProvider provider)
    {
        if (provider == ContentProvider.S3)
        {
            services.AddS3Content();
        }
        else
        {
            services.AddSingleton<FileSystemContentStore>();
            services.AddSingleton<IContentStore>(sp => new TimedContentStore(sp.GetRequiredService<FileSystemContentStore>()));
        }

        return services;
    }
}
