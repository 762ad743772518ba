using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TeacherPlatform.Core.Storage.Local;
using TeacherPlatform.Core.Storage.S3;

namespace TeacherPlatform.Core.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IObjectStorage"/> for <c>Storage:Provider</c> (local by default). No
    /// <see cref="IObjectAccessPolicy"/> is registered here: until a feature registers one, a valid signature alone
    /// authorises use of a local signed URL.
    /// </summary>
    public static IServiceCollection AddObjectStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(StorageOptions.SectionName);

        services.AddOptions<Configuration.DataOptions>().Bind(configuration.GetSection(Configuration.DataOptions.Section));
        services.AddOptions<StorageOptions>()
            .Bind(section)
            // Resolved from options, not read now: settings added after registration (tests, env) must count.
            .PostConfigure<IOptions<Configuration.DataOptions>>((options, data) =>
            {
                var dataDirectory = data.Value.FullPath;
                options.Local.Directory = string.IsNullOrWhiteSpace(options.Local.Directory)
                    ? Path.Combine(dataDirectory, "objects")
                    : Path.GetFullPath(options.Local.Directory);
                options.Local.SigningKeyFile ??= Path.Combine(dataDirectory, "keys", "storage-signing.key");
            })
            .Validate(options => options.MaxUploadBytes > 0, "Storage:MaxUploadBytes must be positive.")
            .Validate(options => options.Provider != StorageProvider.S3 || !string.IsNullOrWhiteSpace(options.S3.Bucket),
                "Storage:S3:Bucket is required when Storage:Provider is s3.")
            .Validate(options => options.Local.PublicBaseUrl is not { Length: > 0 } url || Uri.TryCreate(url, UriKind.Absolute, out _),
                "Storage:Local:PublicBaseUrl must be an absolute URL.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.TryAddSingleton<S3ObjectStorage>();
        services.TryAddSingleton(sp => LocalSigningKey.FromOptions(sp.GetRequiredService<IOptions<StorageOptions>>().Value.Local));
        services.TryAddSingleton<LocalUrlSigner>();
        services.TryAddSingleton<LocalObjectStorage>();
        // The provider is chosen when first resolved, from the final configuration.
        services.TryAddSingleton<IObjectStorage>(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider == StorageProvider.S3
            ? sp.GetRequiredService<S3ObjectStorage>()
            : sp.GetRequiredService<LocalObjectStorage>());
        return services;
    }
}
