using TeacherPlatform.Evals.Datasets;

namespace TeacherPlatform.Evals.Metrics;

/// <summary>A retrieved chunk as far as relevance is concerned (a search result or a chat source).</summary>
public sealed record RetrievedLocation(string? ManifestDoc, int PageNumber, int PageEnd, double? StartSeconds);

/// <summary>
/// Maps retrieved chunks to relevance groups (see <see cref="RankingMetrics"/>).
/// Page level: same document AND, for PDF/HTML, page_number ≤ relevant page ≤ page_end; for transcripts
/// |chunk.start_seconds − relevant start_seconds| ≤ <see cref="TranscriptToleranceSeconds"/> (default 90 s: a
/// 512-token chunk spans ~2.5-3 min of speech at 2.4 words/s, so a passage starting within 90 s of the chunk start
/// is inside it or in its 128-token overlap). Document level: same document.
/// Groups: for multi_page questions every location (page level) or every distinct document (document level) is its
/// own group (all needed); otherwise all locations form one group (any one answers).
/// </summary>
public sealed class RelevanceJudge(double transcriptToleranceSeconds = 90)
{
    public double TranscriptToleranceSeconds { get; } = transcriptToleranceSeconds;

    private sealed record Location(string Doc, int? Page, double? Seconds);

    private static List<Location> Locations(Question q) =>
        q.Relevant.SelectMany(r =>
            (r.Pages ?? []).Select(p => new Location(r.Doc, p, null))
            .Concat((r.StartSeconds ?? []).Select(s => new Location(r.Doc, null, s)))
            .DefaultIfEmpty(new Location(r.Doc, null, null)))
        .ToList();

    public int PageGroupCount(Question q) => q.IsUncovered ? 0 : q.NeedsAll ? Locations(q).Count : 1;
    public int DocumentGroupCount(Question q) => q.IsUncovered ? 0 : q.NeedsAll ? q.Relevant.Select(r => r.Doc).Distinct().Count() : 1;

    public bool Matches(RetrievedLocation hit, string doc, int? page, double? seconds)
    {
        if (hit.ManifestDoc != doc) return false;
        if (seconds is { } s)
            return hit.StartSeconds is { } h && Math.Abs(h - s) <= TranscriptToleranceSeconds;
        if (page is { } p) return hit.PageNumber <= p && p <= Math.Max(hit.PageEnd, hit.PageNumber);
        return true;
    }

    /// <summary>Group index covered by each ranked hit at page level, -1 for none.</summary>
    public int[] PageGroups(Question q, IReadOnlyList<RetrievedLocation> ranked)
    {
        var locs = Locations(q);
        return ranked.Select(hit =>
        {
            for (var i = 0; i < locs.Count; i++)
                if (Matches(hit, locs[i].Doc, locs[i].Page, locs[i].Seconds)) return q.NeedsAll ? i : 0;
            return -1;
        }).ToArray();
    }

    public int[] DocumentGroups(Question q, IReadOnlyList<RetrievedLocation> ranked)
    {
        var docs = q.Relevant.Select(r => r.Doc).Distinct().ToList();
        return ranked.Select(hit =>
        {
            var i = hit.ManifestDoc is null ? -1 : docs.IndexOf(hit.ManifestDoc);
            return i < 0 ? -1 : q.NeedsAll ? i : 0;
        }).ToArray();
    }
}
