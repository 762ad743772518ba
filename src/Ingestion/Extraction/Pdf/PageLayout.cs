namespace TeacherPlatform.Ingestion.Extraction.Pdf;

/// <summary>A page as text blocks (paragraph-like regions) in reading order, each a list of visual lines.</summary>
internal sealed record PageLayout(int PageNumber, IReadOnlyList<IReadOnlyList<string>> Blocks)
{
    public IEnumerable<string> Lines => Blocks.SelectMany(b => b);
}
