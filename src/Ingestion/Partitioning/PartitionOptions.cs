namespace TeacherPlatform.Ingestion.Partitioning;

public sealed record PartitionOptions
{
    /// <summary>Hard ceiling per chunk, measured with the embedding model's tokenizer.</summary>
    public int MaxTokens { get; init; } = 512;

    /// <summary>Budget for whole trailing sentences of the previous chunk repeated at the start of the next.</summary>
    public int OverlapTokens { get; init; } = 128;

    /// <summary>
    /// Size of the retrieval units a section longer than <see cref="MaxTokens"/> is cut into (a heading-delimited
    /// section that fits <see cref="MaxTokens"/> stays one chunk: it is one topic, and its parts would lose their
    /// heading). Null = <see cref="MaxTokens"/> (no smaller units).
    /// </summary>
    public int? UnitTokens { get; init; }

    /// <summary>Overlap between the smaller units of a long section; null = <see cref="OverlapTokens"/>.</summary>
    public int? UnitOverlapTokens { get; init; }

    internal int EffectiveUnitTokens => Math.Min(UnitTokens ?? MaxTokens, MaxTokens);
    internal int EffectiveUnitOverlapTokens => Math.Min(UnitOverlapTokens ?? OverlapTokens, EffectiveUnitTokens - 1);

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
        if (UnitTokens is < 1) throw new ArgumentOutOfRangeException(nameof(UnitTokens), UnitTokens, "Must be positive.");
        if (UnitOverlapTokens is < 0) throw new ArgumentOutOfRangeException(nameof(UnitOverlapTokens), UnitOverlapTokens, "Must be ≥ 0.");
        if (PageTailMergeTokens < 0) throw new ArgumentOutOfRangeException(nameof(PageTailMergeTokens), PageTailMergeTokens, "Must be ≥ 0.");
    }
}
