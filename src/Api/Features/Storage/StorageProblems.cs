using Microsoft.AspNetCore.Http.HttpResults;

namespace TeacherPlatform.Api.Features.Storage;

/// <summary>RFC 9457 problems of the storage endpoints, each with a stable <c>code</c>.</summary>
internal static class StorageProblems
{
    public static ProblemHttpResult InvalidSignature() =>
        Problem(StatusCodes.Status403Forbidden, "invalid_signature", "Invalid signature", "The URL signature does not match this request.");

    public static ProblemHttpResult Expired() =>
        Problem(StatusCodes.Status403Forbidden, "url_expired", "URL expired", "The signed URL has expired; request a new one.");

    public static ProblemHttpResult Forbidden() =>
        Problem(StatusCodes.Status403Forbidden, "forbidden", "Forbidden", "Access to this object has been revoked.");

    public static ProblemHttpResult NotFound() =>
        Problem(StatusCodes.Status404NotFound, "not_found", "Not found", null);

    public static ProblemHttpResult PayloadTooLarge(long limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "payload_too_large", "Payload too large", $"Uploads are limited to {limit} bytes.");

    /// <summary>416 with <c>Content-Range: bytes */size</c>, as <c>/api/projects/{id}/stream</c> answers it.</summary>
    public static ProblemHttpResult RangeNotSatisfiable(HttpResponse response, long size)
    {
        response.Headers.ContentRange = $"bytes */{size}";
        return Problem(StatusCodes.Status416RangeNotSatisfiable, "range_not_satisfiable", "Range not satisfiable", $"The file is {size} bytes long.");
    }

    public static ProblemHttpResult BadRequest(int status, string detail) =>
        Problem(status, "bad_request", "Bad request", detail);

    private static ProblemHttpResult Problem(int status, string code, string title, string? detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail, extensions: new Dictionary<string, object?> { ["code"] = code });
}
