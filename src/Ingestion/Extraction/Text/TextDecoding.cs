using System.Text;

namespace TeacherPlatform.Ingestion.Extraction.Text;

/// <summary>Reads uploaded text files: BOM-aware, UTF-8 by default, newlines normalised to \n.</summary>
internal static class TextDecoding
{
    public static async Task<string> ReadAllTextAsync(Stream content, CancellationToken ct)
    {
        using var reader = new StreamReader(content, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        return NormalizeNewlines(text);
    }

    public static string NormalizeNewlines(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').TrimStart('\uFEFF');
}
