namespace TeacherPlatform.Core.Errors;

/// <summary>
/// A client-facing failure with an HTTP status and a stable machine-readable code, turned into RFC 9457
/// problem+json at the edge. Thrown by services so that endpoints stay linear.
/// </summary>
public sealed class AppProblem(int status, string code, string title, string? detail = null,
    IReadOnlyDictionary<string, string[]>? errors = null) : Exception(detail ?? title)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;
    public IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;
    public TimeSpan? RetryAfter { get; init; }

    public static AppProblem NotFound(string what = "Resource") => new(404, "not_found", $"{what} not found");
    public static AppProblem Conflict(string detail) => new(409, "conflict", "Conflict", detail);
    public static AppProblem Forbidden(string detail) => new(403, "forbidden", "Forbidden", detail);
    public static AppProblem Unauthorized(string code, string detail) => new(401, code, "Unauthorized", detail);
    public static AppProblem Validation(IReadOnlyDictionary<string, string[]> errors) =>
        new(400, "validation_failed", "One or more fields are invalid", "See 'errors' for the field-level messages.", errors);
    public static AppProblem Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });
    public static AppProblem PayloadTooLarge(string detail) => new(413, "payload_too_large", "Payload too large", detail);
    public static AppProblem UnsupportedMediaType(string detail) => new(415, "unsupported_media_type", "Unsupported media type", detail);
    public static AppProblem Unprocessable(string code, string detail) => new(422, code, "Unprocessable content", detail);
}
