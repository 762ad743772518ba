using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace TeacherPlatform.Edge.Infrastructure;

/// <summary>RFC 9457 problem+json in the API's shape (<c>code</c> and <c>trace_id</c> extensions), for errors the edge answers itself.</summary>
public static class EdgeProblems
{
    public static string CodeFor(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        413 => "payload_too_large",
        414 => "uri_too_long",
        416 => "range_not_satisfiable",
        429 => "rate_limited",
        431 => "request_headers_too_large",
        502 => "upstream_unavailable",
        503 => "upstream_unavailable",
        504 => "upstream_timeout",
        _ => status >= 500 ? "internal_error" : "error",
    };

    public static IServiceCollection AddEdgeProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var status = ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode;
            ctx.ProblemDetails.Extensions.TryAdd("code", CodeFor(status));
            ctx.ProblemDetails.Extensions.TryAdd("trace_id", Activity.Current?.TraceId.ToString() ?? ctx.HttpContext.TraceIdentifier);
        });

    public static Task WriteAsync(HttpContext http, int status, string code, string title, string? detail)
    {
        http.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://httpstatuses.io/{status}" };
        problem.Extensions["code"] = code;
        var service = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        return service.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem }).AsTask();
    }
}
