namespace TeacherPlatform.Api.Infrastructure;

/// <summary>
/// Security headers on every response: the API serves JSON and files only, so nothing may be sniffed into HTML,
/// framed, or run scripts; the interactive API reference (/scalar) gets the narrowest policy it can work with.
/// </summary>
public static class SecurityHeaders
{
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    // Scalar's page is a bundled script plus inline configuration and styles; it calls the API on the same origin.
    public const string ReferencePolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline' https:; " +
        "img-src 'self' data: https:; font-src 'self' data: https:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>No "Server: Kestrel" banner.</summary>
    public static WebApplicationBuilder RemoveServerHeader(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        return builder;
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Resource-Policy"] = "same-site";
            // Endpoints that set a stricter policy of their own (storage downloads) keep it.
            if (!headers.ContainsKey("Content-Security-Policy"))
            {
                headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments("/scalar") ? ReferencePolicy : ApiPolicy;
            }

            headers.Remove("Server");
            return Task.CompletedTask;
        }, context);
        return next(context);
    });
}
