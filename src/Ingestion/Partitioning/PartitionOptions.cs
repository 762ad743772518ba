namespace TeacherPlatform.Ingestion.Partitioning;

public sealed record PartitionOptions
{
    /// <summary>Hard ceiling per chunk, measured with the embedding model's tokenizer.</summary>
    public int MaxTokens { get; init; } = 512;

    /// <summary>Budget for whole trailing sentences of the previous chunk repeated at the start of the next.</summary>
    public int OverlapTokens { get; init; } = 128;

    /// <summary>
    /// A chunk runs on into the next page only while its new text on the current page is shorter than this, so a few
    /// trailing lines are not left as a chunk of their own; otherwise page boundaries end chunks. Chunks never span
    /// more than two pages.
    /// </summary>
    public int PageTailMergeTokens { get; init; } = 128;

    internal void Validate()
    {
        if (MaxTokens < 1) throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "Must be positive.");
        if (OverlapTokens < 0 || OverlapTokens >= MaxTokens)
            throw new ArgumentOutOfRangeException(nameof(OverlapTokens), OverlapTokens, "Must be in [0, MaxTokens).");
        if (PageTailMergeTokens < 0) throw new ArgumentOutOfRangeException(nameof(PageTailMergeTokens), PageTailMergeTokens, "Must be ≥ 0.");
    }
}
