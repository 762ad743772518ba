using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace TeacherPlatform.Http;

/// <summary>
/// RFC 9457 problem+json as the API and the edge both answer it: a stable <c>code</c> extension (from the status when the
/// caller gives none) and the <c>trace_id</c>.
/// </summary>
public static class HttpProblems
{
    public static string CodeFor(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        409 => "conflict",
        413 => "payload_too_large",
        414 => "uri_too_long",
        415 => "unsupported_media_type",
        416 => "range_not_satisfiable",
        422 => "unprocessable",
        429 => "rate_limited",
        431 => "request_headers_too_large",
        502 or 503 => "upstream_unavailable",
        504 => "upstream_timeout",
        _ => status >= 500 ? "internal_error" : "error",
    };

    /// <summary>
    /// Problem details for every error response, each with <c>code</c> and <c>trace_id</c>, whatever the request's
    /// <c>Accept</c> says: the framework's writer declines a client that accepts only, say, <c>text/event-stream</c>,
    /// and the error would become an empty 500, so <see cref="AnyAcceptProblemWriter"/> answers after it.
    /// </summary>
    public static IServiceCollection AddCodedProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var status = ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode;
            ctx.ProblemDetails.Extensions.TryAdd("code", CodeFor(status));
            ctx.ProblemDetails.Extensions.TryAdd("trace_id", Activity.Current?.TraceId.ToString() ?? ctx.HttpContext.TraceIdentifier);
        });
        // Registered after the default writer, so it only writes what that one declines.
        services.AddSingleton<IProblemDetailsWriter, AnyAcceptProblemWriter>();
        return services;
    }

    public static Task WriteAsync(HttpContext http, int status, string code, string title, string? detail,
        IReadOnlyDictionary<string, string[]>? errors = null)
    {
        http.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://httpstatuses.io/{status}" };
        problem.Extensions["code"] = code;
        if (errors is not null) problem.Extensions["errors"] = errors;
        var service = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        return service.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem }).AsTask();
    }
}
