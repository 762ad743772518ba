using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using TeacherPlatform.Core.Errors;
using TeacherPlatform.Http;

namespace TeacherPlatform.Api.Infrastructure;

/// <summary>
/// RFC 9457 problem+json for every error, each with a stable `code` extension and the trace id (written by
/// <see cref="HttpProblems"/>, shared with the edge); the API adds the mapping of exceptions to problems.
/// </summary>
public static class ProblemHandling
{
    public static string CodeFor(int status) => HttpProblems.CodeFor(status);

    public static IServiceCollection AddApiProblemDetails(this IServiceCollection services)
    {
        services.AddCodedProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static Task WriteAsync(HttpContext http, int status, string code, string title, string? detail,
        IReadOnlyDictionary<string, string[]>? errors = null) => HttpProblems.WriteAsync(http, status, code, title, detail, errors);
}

internal sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (http.Response.HasStarted) return false;
        switch (exception)
        {
            case AppProblem p:
                if (p.RetryAfter is { } ra) http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(ra.TotalSeconds)).ToString();
                await ProblemHandling.WriteAsync(http, p.Status, p.Code, p.Title, p.Detail, p.Errors);
                return true;
            case BadHttpRequestException bad:
                await WriteBadRequestAsync(http, bad);
                return true;
            case OperationCanceledException when http.RequestAborted.IsCancellationRequested:
                http.Response.StatusCode = 499; // client went away; nobody reads the body
                return true;
            default:
                logger.LogError(exception, "Unhandled exception on {Method} {Path}", http.Request.Method, http.Request.Path);
                await ProblemHandling.WriteAsync(http, 500, "internal_error", "Internal server error", "An unexpected error occurred; it has been logged.");
                return true;
        }
    }

    private static Task WriteBadRequestAsync(HttpContext http, BadHttpRequestException bad)
    {
        var status = bad.StatusCode;
        if (status == StatusCodes.Status413PayloadTooLarge)
            return ProblemHandling.WriteAsync(http, 413, "payload_too_large", "Payload too large", "The request body exceeds the size limit.");
        if (status == StatusCodes.Status415UnsupportedMediaType)
            return ProblemHandling.WriteAsync(http, 415, "unsupported_media_type", "Unsupported media type", "Send the body as application/json.");

        // Malformed JSON or a value of the wrong type: name the field the parser stopped at.
        var json = bad.InnerException as JsonException ?? bad.InnerException?.InnerException as JsonException;
        if (json is not null)
        {
            var field = JsonPathToField(json.Path);
            var message = json.Path is null or "$"
                ? "The request body is not valid JSON."
                : $"'{field}' is malformed or has the wrong type.";
            return ProblemHandling.WriteAsync(http, 400, "validation_failed", "The request body could not be read", message,
                new Dictionary<string, string[]> { [field] = [message] });
        }
        if (bad.Message.Contains("body was empty", StringComparison.OrdinalIgnoreCase) || bad.Message.Contains("Implicit body", StringComparison.OrdinalIgnoreCase))
            return ProblemHandling.WriteAsync(http, 400, "validation_failed", "A JSON body is required", "The request body is empty.",
                new Dictionary<string, string[]> { ["body"] = ["A JSON body is required."] });
        // Route/query parameters that fail to bind (e.g. page=abc).
        return ProblemHandling.WriteAsync(http, 400, "validation_failed", "Bad request", bad.Message,
            new Dictionary<string, string[]> { [ParameterName(bad.Message)] = [bad.Message] });
    }

    private static string JsonPathToField(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "body";
        var trimmed = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return trimmed.Replace("['", "").Replace("']", "");
    }

    private static string ParameterName(string message)
    {
        // "Failed to bind parameter "int page" from "abc"." → "page"
        var start = message.IndexOf('"');
        var end = start >= 0 ? message.IndexOf('"', start + 1) : -1;
        if (start < 0 || end < 0) return "request";
        var inner = message[(start + 1)..end];
        var space = inner.LastIndexOf(' ');
        return space >= 0 ? inner[(space + 1)..] : inner;
    }
}
