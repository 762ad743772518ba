using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using TeacherPlatform.Ingestion.Extraction;

namespace TeacherPlatform.Ingestion.Extraction.Transcripts;

/// <summary>
/// Parses WebVTT and SRT into cues. Both are "blocks separated by blank lines, one timing line with -->", so one
/// tolerant parser serves both; VTT-only blocks (NOTE, STYLE, REGION) are skipped.
/// </summary>
public static partial class TranscriptParser
{
    /// <summary>Latest timestamp accepted when the caller gives none (see <see cref="ExtractionLimits.MaxTranscriptTimestamp"/>).</summary>
    public static readonly TimeSpan DefaultMaxTimestamp = TimeSpan.FromHours(100);

    /// <exception cref="ExtractionException"><c>invalid_timestamp</c> when a cue starts or ends after <paramref name="maxTimestamp"/>.</exception>
    public static IReadOnlyList<TranscriptCue> Parse(string text, TimeSpan? maxTimestamp = null)
    {
        var maxSeconds = (maxTimestamp ?? DefaultMaxTimestamp).TotalSeconds;
        var cues = new List<TranscriptCue>();
        string? previousLine = null;
        foreach (var block in BlankLine().Split(text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n')))
        {
            var lines = block.Split('\n');
            var timingIndex = Array.FindIndex(lines, l => l.Contains("-->", StringComparison.Ordinal));
            if (timingIndex < 0 || lines[0].StartsWith("NOTE", StringComparison.Ordinal)) continue;

            var timing = Timing().Match(lines[timingIndex]);
            if (!timing.Success) continue;

            var textLines = new List<string>();
            foreach (var line in lines.Skip(timingIndex + 1))
            {
                var clean = CleanPayload(line);
                // Auto-generated captions repeat the previous line as they roll; keep each spoken line once.
                if (clean.Length == 0 || clean == previousLine) continue;
                textLines.Add(clean);
                previousLine = clean;
            }

            cues.Add(new TranscriptCue(ParseTimestamp(timing.Groups["start"], maxSeconds), ParseTimestamp(timing.Groups["end"], maxSeconds), string.Join(' ', textLines)));
        }

        return cues;
    }

    /// <summary>Removes voice/class/timestamp tags (&lt;v Anna&gt;, &lt;c.loud&gt;, &lt;00:01.000&gt;), SSA overrides and entities.</summary>
    internal static string CleanPayload(string line)
    {
        var noTags = Tag().Replace(line, "");
        var noOverrides = SsaOverride().Replace(noTags, "");
        return Spaces().Replace(WebUtility.HtmlDecode(noOverrides), " ").Trim();
    }

    private static double ParseTimestamp(Group group, double maxSeconds)
    {
        var m = Timestamp().Match(group.Value);
        // Hours are unbounded in the grammar: parse them as a number that cannot overflow, then range-check.
        var hours = m.Groups["h"].Success
            ? double.Parse(m.Groups["h"].Value, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
        var minutes = int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture);
        var seconds = int.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture);
        // "5" after the separator means 500 ms, so pad the fraction on the right.
        var millis = m.Groups["ms"].Success ? int.Parse(m.Groups["ms"].Value.PadRight(3, '0'), CultureInfo.InvariantCulture) : 0;
        var total = hours * 3600 + minutes * 60 + seconds + millis / 1000.0;
        if (!double.IsFinite(total) || total > maxSeconds)
            throw new ExtractionException(ExtractionErrorCodes.InvalidTimestamp,
                $"A cue's timestamp '{Truncate(group.Value)}' is beyond the {maxSeconds / 3600:0.#}-hour limit for transcripts.");
        return total;
    }

    private static string Truncate(string value) => value.Length <= 32 ? value : value[..32] + "…";

    private const string TimestampPattern = @"(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?";

    [GeneratedRegex(@"\n[ \t]*\n")] private static partial Regex BlankLine();
    [GeneratedRegex(@"^\s*(?<start>" + TimestampPattern + @")\s*-->\s*(?<end>" + TimestampPattern + @")")] private static partial Regex Timing();
    [GeneratedRegex(@"^(?:(?<h>\d+):)?(?<m>\d{1,2}):(?<s>\d{2})(?:[.,](?<ms>\d{1,3}))?$")] private static partial Regex Timestamp();
    [GeneratedRegex(@"<[^>]*>")] private static partial Regex Tag();
    [GeneratedRegex(@"\{\\[^}]*\}")] private static partial Regex SsaOverride();
    [GeneratedRegex(@"\s+")] private static partial Regex Spaces();
}
