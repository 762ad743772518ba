global using SourceTypes = TeacherPlatform.Core.Knowledge.SourceTypes;

namespace TeacherPlatform.Ingestion.Extraction;

/// <summary>What the pipeline knows about the bytes it hands to an extractor.</summary>
/// <param name="SourceType">One of <see cref="SourceTypes"/>.</param>
/// <param name="FileName">Uploaded file name, if any; its extension guides extractor selection.</param>
/// <param name="ContentType">Declared or fetched media type (parameters allowed), if any.</param>
/// <param name="SourceUrl">Original URL for web pages; used to resolve relative links and as a fallback extension.</param>
public sealed record ExtractionContext(string SourceType, string? FileName = null, string? ContentType = null, Uri? SourceUrl = null)
{
    /// <summary>Lower-case extension with dot (".pdf"), from the file name or else the URL path; empty when unknown.</summary>
    public string Extension
    {
        get
        {
            var fromName = FileName is null ? "" : Path.GetExtension(FileName);
            if (fromName.Length > 0) return fromName.ToLowerInvariant();
            return SourceUrl is { IsAbsoluteUri: true } url ? Path.GetExtension(url.AbsolutePath).ToLowerInvariant() : "";
        }
    }

    /// <summary>Media type without parameters, lower-case ("text/html"); empty when unknown.</summary>
    public string MediaType => ContentType is null ? "" : ContentType.Split(';', 2)[0].Trim().ToLowerInvariant();

    /// <summary>This document's resource budget; the registry sets it, extractors called directly run unlimited.</summary>
    public ExtractionBudget? Budget { get; init; }

    public string NormalizedSourceType => SourceType.Trim().ToLowerInvariant();
}
