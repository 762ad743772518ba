using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using TeacherPlatform.Core.Storage;
using TeacherPlatform.Core.Storage.Local;
using TeacherPlatform.Http;

namespace TeacherPlatform.Api.Features.Storage;

/// <summary>
/// Serves the local provider's signed upload/download URLs. Anonymous: the signature is the credential, re-checked
/// against <see cref="IObjectAccessPolicy"/> (when one is registered) so that revoked access stops working at once.
/// With the s3 provider clients talk to S3 directly and these routes answer 404.
/// </summary>
public static class StorageEndpoints
{
    /// <summary>The local store when it is the configured provider; with S3 these routes do not exist (404).</summary>
    private static LocalObjectStorage? LocalStorageOf(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<StorageOptions>>().Value.Provider == StorageProvider.Local
            ? context.RequestServices.GetRequiredService<LocalObjectStorage>()
            : null;

    /// <summary>The configured object store, and the outbox that retries deletions the features queue with their rows.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddObjectStorage(configuration);
        services.AddSingleton<StorageDeletionOutbox>();
        return services;
    }

    public static IEndpointRouteBuilder MapStorage(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/storage").WithTags("Storage").AllowAnonymous();
        group.MapPut("/{**key}", UploadAsync).WithName("UploadObject")
            .WithSummary("Upload to a signed upload_url (local storage provider only)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(413);
        group.MapGet("/{**key}", DownloadAsync).WithName("DownloadObject")
            .WithSummary("Download from a signed download_url (local storage provider only; Range and ETag honoured)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(416);
        return app;
    }

    public static async Task<Results<Ok, ProblemHttpResult, EmptyHttpResult>> UploadAsync(string key, HttpContext context)
    {
        if (LocalStorageOf(context) is not { } storage)
        {
            return StorageProblems.NotFound();
        }

        if (await AuthorizeAsync(context, key, SignedUrlOperation.Put) is { } denied)
        {
            return denied;
        }

        var limit = context.RequestServices.GetRequiredService<IOptions<StorageOptions>>().Value.MaxUploadBytes;
        if (context.Request.ContentLength > limit)
        {
            return StorageProblems.PayloadTooLarge(limit);
        }

        // Kestrel's global body limit is meant for JSON requests; uploads get their own limit, counted while streaming
        // because Content-Length may be absent (chunked) or understate the body.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = null;
        }

        try
        {
            var contentType = context.Request.ContentType ?? LocalObjectStorage.DefaultContentType;
            await using var body = new SizeLimitedReadStream(context.Request.Body, limit);
            var stored = await storage.PutObjectAsync(key, body, contentType, context.RequestAborted);
            context.Response.Headers.ETag = stored.ETag;
            return TypedResults.Ok();
        }
        catch (ObjectTooLargeException)
        {
            return StorageProblems.PayloadTooLarge(limit);
        }
        catch (BadHttpRequestException ex)
        {
            return StorageProblems.BadRequest(ex.StatusCode, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-upload; the storage already discarded the partial file.
            return TypedResults.Empty;
        }
    }

    public static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadAsync(string key, HttpContext context)
    {
        if (LocalStorageOf(context) is not { } storage)
        {
            return StorageProblems.NotFound();
        }

        if (await AuthorizeAsync(context, key, SignedUrlOperation.Get) is { } denied)
        {
            return denied;
        }

        var stored = await storage.OpenObjectAsync(key, context.RequestAborted);
        if (stored is null)
        {
            return StorageProblems.NotFound();
        }

        // The framework's range processing answers an unsatisfiable range with an empty 416; give it the problem body.
        var etag = EntityTagHeaderValue.Parse(stored.Info.ETag);
        if (!ConditionalRange.IfNoneMatchHits(context.Request, etag)
            && ConditionalRange.Select(context.Request, etag, stored.Info.Size) is RangeOutcome.Unsatisfiable)
        {
            await stored.Content.DisposeAsync();
            return StorageProblems.RangeNotSatisfiable(context.Response, stored.Info.Size);
        }

        var contentType = await DownloadHeaders.DecideContentTypeAsync(key, stored.Content, context.RequestAborted);
        // no-cache: clients may keep the bytes but must revalidate (a cheap 304), so every use passes the access policy.
        context.Response.Headers.CacheControl = "private, no-cache";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.ContentDisposition = DownloadHeaders.Disposition(contentType, context.Request.Query["name"].ToString(), key);
        // Even if a browser is tricked into rendering the bytes, they get no script and no origin.
        context.Response.Headers.ContentSecurityPolicy = contentType == DownloadHeaders.Pdf
            ? "default-src 'none'; frame-ancestors 'none'"
            : "default-src 'none'; frame-ancestors 'none'; sandbox";
        return TypedResults.Stream(
            stored.Content,
            contentType,
            lastModified: stored.Info.LastModified,
            entityTag: etag,
            enableRangeProcessing: true);
    }

    /// <returns>null when the signed URL authorises <paramref name="operation"/> on <paramref name="key"/>, else the problem to answer.</returns>
    private static async Task<ProblemHttpResult?> AuthorizeAsync(HttpContext context, string key, string operation)
    {
        var query = context.Request.Query;
        // Each signed parameter exactly once: a repeated one would be read joined with commas.
        foreach (var name in (ReadOnlySpan<string>)["op", "exp", "uid", "name", "sig"])
        {
            if (query[name].Count > 1)
            {
                return StorageProblems.InvalidSignature();
            }
        }

        var claims = new SignedUrlClaims(query["op"].ToString(), key, query["exp"].ToString(), query["uid"].ToString(), query["name"].ToString());

        // The op and key are covered by the signature; checking them first just avoids hashing obvious mismatches.
        if (claims.Operation != operation || !ObjectKey.IsValid(key))
        {
            return StorageProblems.InvalidSignature();
        }

        var signer = context.RequestServices.GetRequiredService<LocalUrlSigner>();
        switch (signer.Verify(claims, query["sig"].ToString()))
        {
            case SignedUrlVerdict.InvalidSignature:
                return StorageProblems.InvalidSignature();
            case SignedUrlVerdict.Expired:
                return StorageProblems.Expired();
        }

        // A URL issued without a user was minted by the server for its own use (its signature binds the "server"
        // audience, so a user's URL cannot be edited into one); it is authorised by its signature alone.
        // Every feature registers a policy for its own key prefix and allows keys it does not own; all must agree.
        if (claims.User is { } userId)
        {
            foreach (var policy in context.RequestServices.GetServices<IObjectAccessPolicy>())
            {
                var allowed = operation == SignedUrlOperation.Put
                    ? await policy.CanWriteAsync(key, userId, context.RequestAborted)
                    : await policy.CanReadAsync(key, userId, context.RequestAborted);
                if (!allowed)
                {
                    return StorageProblems.Forbidden();
                }
            }
        }

        return null;
    }
}
