namespace TeacherPlatform.Core.Knowledge;

/// <summary>
/// The one table of knowledge file types: which extensions each source type accepts, the content type a file is
/// stored with, and the object key it is stored under. The API's create endpoint and the bulk folder loader use it.
/// </summary>
public static class KnowledgeFiles
{
    private static readonly Dictionary<string, (string SourceType, string ContentType)> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = (SourceTypes.Pdf, "application/pdf"),
        [".txt"] = (SourceTypes.Text, "text/plain"),
        [".md"] = (SourceTypes.Text, "text/markdown"),
        [".markdown"] = (SourceTypes.Text, "text/markdown"),
        [".text"] = (SourceTypes.Text, "text/plain"),
        [".vtt"] = (SourceTypes.Video, "text/vtt"),
        [".srt"] = (SourceTypes.Video, "application/x-subrip"),
        [".html"] = (SourceTypes.Web, "text/html"),
        [".htm"] = (SourceTypes.Web, "text/html"),
    };

    /// <summary>The extensions a source type accepts, lower case with the dot, in table order.</summary>
    public static IReadOnlyList<string> ExtensionsFor(string sourceType) =>
        ByExtension.Where(e => e.Value.SourceType == sourceType).Select(e => e.Key).ToList();

    /// <summary>The source type a file name's extension implies, or null for a file type not accepted.</summary>
    public static string? SourceTypeFor(string fileName) =>
        ByExtension.TryGetValue(Path.GetExtension(fileName), out var t) ? t.SourceType : null;

    public static string ContentTypeFor(string fileName) =>
        ByExtension.TryGetValue(Path.GetExtension(fileName), out var t) ? t.ContentType : "text/plain";

    /// <summary>The object key of a document's file: a sanitised name under the document's folder.</summary>
    public static string StorageKey(Guid documentId, string fileName) => $"{Authorization.KnowledgeObjectAccessPolicy.KeyPrefix}{documentId}/{SafeName(fileName)}";

    /// <summary>ASCII letters, digits, '.', '-', '_' (others become '_'), no leading dots, at most 120 characters.</summary>
    public static string SafeName(string fileName)
    {
        var clean = new string(fileName.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_' ? ch : '_').ToArray()).TrimStart('.');
        return string.IsNullOrEmpty(clean) ? "file" : clean[..Math.Min(clean.Length, 120)];
    }
}
