using System.Text.RegularExpressions;
using TeacherPlatform.Ai.Text;
using TeacherPlatform.Ingestion.Extraction;

namespace TeacherPlatform.Ingestion.Partitioning;

/// <summary>
/// Splits a document into chunks of at most <see cref="PartitionOptions.MaxTokens"/> tokens (as counted by the
/// embedding model's tokenizer) on paragraph and sentence boundaries, with whole-sentence overlap. Sentences are only
/// split when one alone exceeds the limit (at line breaks, then words, then characters). Deterministic.
/// Structure (headings from <see cref="HeadingDetector"/>): a heading-delimited section that fits
/// <see cref="PartitionOptions.MaxTokens"/> is one topic and stays whole (short sections may share a chunk, which then
/// ends at a heading rather than cut the next section); a longer section (a book chapter running over many pages) is cut
/// into smaller units of <see cref="PartitionOptions.UnitTokens"/> that never reach past its end, which rank better than
/// whole pages of flowing prose. Overlap never repeats text from before a heading. Each chunk carries the heading of the
/// section it starts in (<see cref="TextChunk.Heading"/>).
/// </summary>
public sealed partial class TextPartitioner
{
    private readonly Func<string, int> _countTokens;
    private readonly PartitionOptions _options;

    public TextPartitioner(Func<string, int> countTokens, PartitionOptions? options = null)
    {
        _countTokens = countTokens;
        _options = options ?? new PartitionOptions();
        _options.Validate();
    }

    public IReadOnlyList<TextChunk> Partition(ExtractedDocument document, string? title = null) =>
        Partition(JoinedText.From(document.Sections), title ?? document.Title);

    public IReadOnlyList<TextChunk> Partition(IEnumerable<ExtractedSection> sections) => Partition(JoinedText.From(sections));

    /// <summary>Chunks with offsets into <paramref name="joined"/>.Text; <paramref name="title"/> helps recognise running heads.</summary>
    public IReadOnlyList<TextChunk> Partition(JoinedText joined, string? title = null)
    {
        var units = BuildUnits(joined, title);
        var sections = Sections(joined.Text, units);
        // Transcripts have no headings and their chunk size sets the time tolerance of a citation: kept as they were.
        var transcript = joined.Spans.Any(s => s.StartSeconds is not null);
        bool IsLong(Section s) => !transcript && s.Tokens > _options.MaxTokens;
        var chunks = new List<TextChunk>();
        for (var s = 0; s < sections.Count;)
        {
            // A section longer than the budget is cut into smaller units of its own; a run of sections that fit is packed
            // as before (whole sections where they fit, see CanAppend).
            var e = s;
            if (!IsLong(sections[s])) while (e + 1 < sections.Count && !IsLong(sections[e + 1])) e++;
            var (max, overlap) = IsLong(sections[s])
                ? (_options.EffectiveUnitTokens, _options.EffectiveUnitOverlapTokens)
                : (_options.MaxTokens, _options.OverlapTokens);
            var blockLast = sections[e].Last;
            var next = sections[s].First;
            var overlapStart = next;
            while (next <= blockLast)
            {
                var (first, last) = PackChunk(joined.Text, units, sections, overlapStart, next, blockLast, max);
                chunks.Add(ToChunk(joined, units, chunks.Count, first, last) with { Heading = sections[units[first].Topic].Heading });
                overlapStart = next = last + 1;
                // Overlap repeats the end of the previous chunk, never text from before a heading.
                if (next <= blockLast && units[next].Page == units[last].Page && units[next].Topic == units[last].Topic)
                    overlapStart = OverlapStart(units, first, last, overlap);
            }

            s = e + 1;
        }

        return chunks;
    }

    /// <summary>A sentence (or piece of an over-long one) with its token count and page.</summary>
    /// <param name="Section">Index of the extracted section (page) in the joined text.</param>
    /// <param name="Heading">Part of a heading-like paragraph (a section heading or a running head).</param>
    /// <param name="StartsSection">Part of a heading seen for the first time: a new section may start here.</param>
    /// <param name="Topic">Index of the heading-delimited section (see <see cref="Sections"/>).</param>
    private readonly record struct Unit(int Start, int End, int Tokens, int Section, int Page, bool Heading = false, bool StartsSection = false, int Topic = 0);

    /// <summary>Units [First, Last] under one heading (null before the first heading), with their token sum.</summary>
    private sealed record Section(int First, int Last, string? Heading, int Tokens);

    /// <summary>
    /// Heading-delimited sections; sets each unit's <see cref="Unit.Topic"/>. A new section starts at a new heading once
    /// the current one has body text, so a title followed by "1. Finger independence" opens one section, and a running
    /// head repeating an earlier heading opens none. Heading lines at the foot of a page followed by a heading at the top
    /// of the next (a signature, then "CHAPTER I.") stay with the section before.
    /// </summary>
    private static List<Section> Sections(string text, List<Unit> units)
    {
        var bounds = new List<(int First, int Last, string? Heading)>();
        var first = 0;
        var hasBody = false;
        var heading = new List<string>();
        for (var i = 0; i < units.Count; i++)
        {
            var u = units[i];
            if (u.StartsSection && i > first && (hasBody || (bounds.Count > 0 && units[i - 1].Page != u.Page)))
            {
                if (hasBody) bounds.Add((first, i - 1, HeadingText(heading)));
                else bounds[^1] = bounds[^1] with { Last = i - 1 };
                (first, hasBody) = (i, false);
                heading.Clear();
            }
            if (!u.Heading) hasBody = true;
            else if (u.StartsSection && !hasBody) heading.Add(text[u.Start..u.End]);
        }

        if (units.Count > 0) bounds.Add((first, units.Count - 1, HeadingText(heading)));
        var sections = new List<Section>(bounds.Count);
        foreach (var (f, l, h) in bounds)
        {
            for (var i = f; i <= l; i++) units[i] = units[i] with { Topic = sections.Count };
            sections.Add(new Section(f, l, h, Sum(units, f, l)));
        }

        return sections;
    }

    private static string? HeadingText(List<string> parts) => parts.Count == 0 ? null : string.Join(' ', parts);

    private (int First, int Last) PackChunk(string text, List<Unit> units, List<Section> sections, int first, int next, int blockLast, int max)
    {
        var tokens = Sum(units, first, next - 1);
        // Overlap must leave room for at least the next new unit.
        while (first < next && tokens + units[next].Tokens > max) tokens -= units[first++].Tokens;

        var last = next;
        tokens += units[next].Tokens;
        while (last + 1 <= blockLast && CanAppend(units, sections, first, next, last, tokens, max))
            tokens += units[++last].Tokens;

        // Per-unit counts need not add up to the count of the joined text (merges across spaces, special tokens);
        // the joined text is what gets embedded, so it is what must fit.
        while (_countTokens(text[units[first].Start..units[last].End]) > max)
        {
            if (last > next) last--;
            else if (first < next) first++;
            else break; // a single unit was verified to fit when it was built
        }

        return (first, last);
    }

    private bool CanAppend(List<Unit> units, List<Section> sections, int first, int next, int last, int tokens, int max)
    {
        var candidate = units[last + 1];
        if (tokens + candidate.Tokens > max) return false;
        // At a heading, start the next chunk rather than cut a section that would fit in one.
        if (candidate.Topic != units[last].Topic && tokens + sections[candidate.Topic].Tokens > max) return false;
        if (candidate.Page == units[last].Page) return true;
        // Crossing a page: only from a single page, and only to carry a short tail of new text along.
        return units[first].Page == units[last].Page && Sum(units, next, last) < _options.PageTailMergeTokens;
    }

    /// <summary>Earliest unit after <paramref name="first"/> such that units[start..last] fit the overlap budget.</summary>
    private static int OverlapStart(List<Unit> units, int first, int last, int overlap)
    {
        var start = last + 1;
        var tokens = 0;
        while (start - 1 > first && tokens + units[start - 1].Tokens <= overlap)
            tokens += units[--start].Tokens;
        return start;
    }

    private static TextChunk ToChunk(JoinedText joined, List<Unit> units, int index, int first, int last)
    {
        var start = units[first].Start;
        var end = units[last].End;
        var startSpan = joined.Spans[units[first].Section];
        return new TextChunk(index, joined.Text[start..end], startSpan.PageNumber, joined.Spans[units[last].Section].PageNumber,
            start, end, startSpan.StartSeconds);
    }

    private List<Unit> BuildUnits(JoinedText joined, string? title)
    {
        var units = new List<Unit>();
        var text = joined.Text;
        var headings = new HeadingDetector(title);
        for (var section = 0; section < joined.Spans.Count; section++)
        {
            var span = joined.Spans[section];
            var paragraphStart = span.Start;
            foreach (var boundary in ParagraphBreaks(text, span.Start, span.End).Append((Start: span.End, End: span.End)))
            {
                var kind = span.StartSeconds is null ? headings.Classify(text.AsSpan(paragraphStart, boundary.Start - paragraphStart)) : HeadingKind.None;
                var from = units.Count;
                foreach (var (start, end) in SentenceSplitter.Split(text, paragraphStart, boundary.Start))
                    AddSentence(units, text, start, end, section, span.PageNumber);
                if (kind != HeadingKind.None)
                    for (var i = from; i < units.Count; i++) units[i] = units[i] with { Heading = true, StartsSection = kind == HeadingKind.New };
                paragraphStart = boundary.End;
            }
        }

        return units;
    }

    private static IEnumerable<(int Start, int End)> ParagraphBreaks(string text, int start, int end)
    {
        for (var m = BlankLine().Match(text, start, end - start); m.Success; m = m.NextMatch())
            yield return (m.Index, m.Index + m.Length);
    }

    private void AddSentence(List<Unit> units, string text, int start, int end, int section, int page)
    {
        var tokens = _countTokens(text[start..end]);
        if (tokens <= _options.MaxTokens)
        {
            units.Add(new Unit(start, end, tokens, section, page));
            return;
        }

        foreach (var (s, e) in SplitOversized(text, start, end))
            units.Add(new Unit(s, e, _countTokens(text[s..e]), section, page));
    }

    /// <summary>Pieces of an over-long sentence, each verified to fit: line breaks first, then words, then characters.</summary>
    private List<(int Start, int End)> SplitOversized(string text, int start, int end)
    {
        var lines = Pieces(text, start, end, c => c == '\n');
        if (lines.Count > 1) return Pack(text, lines);

        var words = Pieces(text, start, end, char.IsWhiteSpace);
        if (words.Count > 1) return Pack(text, words);

        return SplitCharacters(text, start, end);
    }

    /// <summary>Greedy packing of adjacent pieces, recursing into pieces that are too long on their own.</summary>
    private List<(int Start, int End)> Pack(string text, List<(int Start, int End)> pieces)
    {
        var result = new List<(int, int)>();
        var expanded = new List<(int Start, int End, int Tokens)>();
        foreach (var (s, e) in pieces)
        {
            var count = _countTokens(text[s..e]);
            if (count <= _options.MaxTokens) expanded.Add((s, e, count));
            else expanded.AddRange(SplitOversized(text, s, e).Select(p => (p.Start, p.End, _countTokens(text[p.Start..p.End]))));
        }

        var i = 0;
        while (i < expanded.Count)
        {
            var j = i;
            var sum = expanded[i].Tokens;
            while (j + 1 < expanded.Count && sum + expanded[j + 1].Tokens <= _options.MaxTokens) sum += expanded[++j].Tokens;
            while (j > i && _countTokens(text[expanded[i].Start..expanded[j].End]) > _options.MaxTokens) j--;
            result.Add((expanded[i].Start, expanded[j].End));
            i = j + 1;
        }

        return result;
    }

    /// <summary>Last resort for a single enormous "word" (a URL, base64): longest prefixes that fit, by binary search.</summary>
    private List<(int Start, int End)> SplitCharacters(string text, int start, int end)
    {
        var result = new List<(int, int)>();
        while (start < end)
        {
            int lo = 1, hi = end - start;
            while (lo < hi)
            {
                var mid = (lo + hi + 1) / 2;
                if (_countTokens(text.Substring(start, mid)) <= _options.MaxTokens) lo = mid;
                else hi = mid - 1;
            }

            var cut = start + lo;
            if (cut < end && char.IsHighSurrogate(text[cut - 1]) && lo > 1) cut--; // never split a surrogate pair
            result.Add((start, cut));
            start = cut;
        }

        return result;
    }

    /// <summary>Trimmed, non-empty ranges between separator characters.</summary>
    private static List<(int Start, int End)> Pieces(string text, int start, int end, Func<char, bool> isSeparator)
    {
        var pieces = new List<(int, int)>();
        var i = start;
        while (i < end)
        {
            while (i < end && (isSeparator(text[i]) || char.IsWhiteSpace(text[i]))) i++;
            var pieceStart = i;
            while (i < end && !isSeparator(text[i])) i++;
            var pieceEnd = i;
            while (pieceEnd > pieceStart && char.IsWhiteSpace(text[pieceEnd - 1])) pieceEnd--;
            if (pieceEnd > pieceStart) pieces.Add((pieceStart, pieceEnd));
        }

        return pieces;
    }

    private static int Sum(List<Unit> units, int first, int last)
    {
        var sum = 0;
        for (var i = first; i <= last; i++) sum += units[i].Tokens;
        return sum;
    }

    [GeneratedRegex(@"\n[ \t]*\n\s*")]
    private static partial Regex BlankLine();
}
