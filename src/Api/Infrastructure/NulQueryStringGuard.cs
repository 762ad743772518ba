namespace TeacherPlatform.Api.Infrastructure;

/// <summary>
/// Refuses U+0000 anywhere in the query string (names or values, e.g. <c>?q=%00</c>) with 400 <c>validation_failed</c>:
/// PostgreSQL text cannot hold it, so a search or filter would otherwise fail with a 500. JSON bodies are covered by
/// <see cref="NoNulStringConverter"/> (and annotation content by its own validation). Signed storage URLs are exempt.
/// </summary>
public static class NulQueryStringGuard
{
    public static IApplicationBuilder UseNulQueryStringGuard(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        // Signed storage URLs never reach the database; a mangled signature stays 403 invalid_signature there.
        if (http.Request.Path.StartsWithSegments("/api/storage")) return next(http);
        foreach (var (name, values) in http.Request.Query)
        {
            if (!name.Contains('\0') && !values.Any(v => v is not null && v.Contains('\0'))) continue;
            var field = name.Replace("\0", "");
            const string message = "Query parameters may not contain NUL characters.";
            return ProblemHandling.WriteAsync(http, 400, "validation_failed", "Bad request", message,
                new Dictionary<string, string[]> { [field.Length == 0 ? "query" : field] = [message] });
        }
        return next(http);
    });
}
