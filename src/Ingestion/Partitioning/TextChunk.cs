namespace TeacherPlatform.Ingestion.Partitioning;

/// <summary>
/// One retrievable passage. <see cref="Text"/> is exactly <c>joined.Text[StartChar..EndChar]</c> of the
/// <see cref="JoinedText"/> it was cut from (sections joined with a blank line), so it may contain "\n\n" where it
/// crosses a paragraph or page; it never starts or ends with whitespace.
/// </summary>
/// <param name="PageNumber">Page (or transcript segment) of <paramref name="StartChar"/>.</param>
/// <param name="PageEnd">Page of the last character; equals PageNumber unless the chunk spans two pages.</param>
/// <param name="StartSeconds">Transcript time of the section holding the first character; null for documents.</param>
public sealed record TextChunk(int Index, string Text, int PageNumber, int PageEnd, int StartChar, int EndChar, double? StartSeconds)
{
    /// <summary>
    /// The heading(s) of the section the chunk belongs to (e.g. "CHAPTER I. WHAT THE FACE TELLS."), null when the
    /// text before the first heading or a document without headings. Context for the chunk's embedding: a unit cut
    /// from a long section usually does not contain its heading.
    /// </summary>
    public string? Heading { get; init; }
}
