using Microsoft.AspNetCore.Http;

namespace TeacherPlatform.Core.Storage.Local;

/// <summary>Where the API serving <c>/api/storage</c> is reachable from clients.</summary>
public sealed class StorageUrlBase(LocalStorageOptions options, IHttpContextAccessor? httpContextAccessor = null)
{
    private const string Fallback = "http://localhost:5000";

    public string Resolve()
    {
        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            return options.PublicBaseUrl.TrimEnd('/');
        }

        // Behind a proxy this is right only with forwarded headers applied; set PublicBaseUrl otherwise.
        var request = httpContextAccessor?.HttpContext?.Request;
        return request is { Host.HasValue: true }
            ? $"{request.Scheme}://{request.Host}{request.PathBase}".TrimEnd('/')
            : Fallback;
    }
}
