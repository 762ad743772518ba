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
        var dataDirectory = Path.GetFullPath(configuration["Data:Directory"] is { Length: > 0 } dir ? dir : "data");

        services.AddOptions<StorageOptions>()
            .Bind(section)
            .PostConfigure(options =>
            {
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
        var provider = section.GetValue<StorageProvider?>(nameof(StorageOptions.Provider)) ?? StorageProvider.Local;
        if (provider == StorageProvider.S3)
        {
            services.TryAddSingleton<S3ObjectStorage>();
            services.TryAddSingleton<IObjectStorage>(sp => sp.GetRequiredService<S3ObjectStorage>());
            return services;
        }

        services.AddHttpContextAccessor();
        services.TryAddSingleton(sp => LocalSigningKey.FromOptions(sp.GetRequiredService<IOptions<StorageOptions>>().Value.Local));
        services.TryAddSingleton<LocalUrlSigner>();
        services.TryAddSingleton<LocalObjectStorage>();
        services.TryAddSingleton<IObjectStorage>(sp => sp.GetRequiredService<LocalObjectStorage>());
        return services;
    }
}
