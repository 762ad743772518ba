using System.Text;
using Microsoft.Net.Http.Headers;

namespace TeacherPlatform.Api.Infrastructure;

/// <summary>
/// Refuses a JSON body whose <c>Content-Type</c> names a charset .NET cannot decode (<c>charset=latin99</c>) with 415
/// <c>unsupported_media_type</c>: the framework's JSON reader throws a plain InvalidOperationException for it, which
/// would otherwise be a 500. Decodable charsets (utf-8, utf-16, iso-8859-1…) go on to the reader as before.
/// </summary>
public static class JsonCharsetGuard
{
    public static IApplicationBuilder UseJsonCharsetGuard(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type) || !type.Charset.HasValue
            || !(type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))
            || Decodable(type.Charset.Value!.Trim('"')))
        {
            return next(http);
        }
        return ProblemHandling.WriteAsync(http, 415, "unsupported_media_type", "Unsupported media type",
            $"The charset '{type.Charset.Value}' is not supported; send the body as application/json in UTF-8.");
    });

    private static bool Decodable(string charset)
    {
        try
        {
            _ = Encoding.GetEncoding(charset);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
