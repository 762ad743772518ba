namespace TeacherPlatform.Ingestion.Extraction.Transcripts;

/// <summary>One timed caption with tags already stripped.</summary>
public sealed record TranscriptCue(double StartSeconds, double EndSeconds, string Text);

/// <summary>How cues are merged into retrievable segments (each becomes one section, PageNumber = segment number).</summary>
public sealed record TranscriptSegmentOptions
{
    /// <summary>A new segment starts once the current one covers this many seconds.</summary>
    public double MaxSegmentSeconds { get; init; } = 60;

    /// <summary>A new segment starts before a cue would push the text past this many characters.</summary>
    public int MaxSegmentChars { get; init; } = 800;
}
