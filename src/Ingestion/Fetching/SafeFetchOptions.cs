namespace TeacherPlatform.Ingestion.Fetching;

public sealed record SafeFetchOptions
{
    /// <summary>Allow loopback/private targets; for tests and single-machine set-ups only.</summary>
    public bool AllowPrivateNetworks { get; init; }

    /// <summary>Whole-fetch budget, redirects and body included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    public long MaxResponseBytes { get; init; } = 10L * 1024 * 1024;

    public int MaxRedirects { get; init; } = 3;

    public string UserAgent { get; init; } = "TeacherPlatform-Ingestion/1.0 (+knowledge-base fetcher)";
}

/// <summary>A fetched web resource.</summary>
/// <param name="FinalUrl">The URL after redirects; store it as the document's canonical source.</param>
public sealed record FetchedContent(byte[] Content, string? ContentType, Uri FinalUrl);
