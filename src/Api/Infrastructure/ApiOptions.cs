namespace TeacherPlatform.Api.Infrastructure;

public sealed class ApiOptions
{
    public const string Section = "Api";
    /// <summary>Largest accepted JSON body; file bytes go to storage URLs, which enforce their own limit.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1_048_576;
}

public sealed class CorsOptions
{
    public const string Section = "Cors";
    /// <summary>Exact origins allowed to call the API from a browser. Empty (the default) sends no CORS headers.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}
