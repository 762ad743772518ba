using System.Diagnostics;

namespace TeacherPlatform.Ingestion.Extraction;

/// <summary>
/// Per-document resource budget for extraction (configuration section <c>Ingestion:Limits</c>). Every limit is checked
/// while the document is being read, so hostile input (decompression bombs, absurd nesting, millions of elements)
/// fails fast with the permanent <c>resource_limits_exceeded</c> code instead of exhausting memory or CPU.
/// </summary>
public sealed class ExtractionLimits
{
    public const string Section = "Ingestion:Limits";

    /// <summary>Characters of extracted text per document (about 3,000 book pages at the default).</summary>
    public long MaxExtractedChars { get; set; } = 10_000_000;

    /// <summary>Bytes produced by decompressing a PDF's streams (content, fonts, object streams), all streams together.</summary>
    public long MaxDecompressedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>PDF pages per document.</summary>
    public int MaxPages { get; set; } = 5_000;

    /// <summary>Nesting of PDF objects/operators and of HTML elements.</summary>
    public int MaxNestingDepth { get; set; } = 256;

    /// <summary>HTML elements per page (tags counted before the DOM is built).</summary>
    public int MaxHtmlElements { get; set; } = 100_000;

    /// <summary>Wall time for extracting one document.</summary>
    public TimeSpan MaxExtractionTime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Wall time for one ingestion job (extract, partition, embed, save); zero disables the limit.</summary>
    public TimeSpan MaxJobTime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Latest transcript timestamp accepted (a cue beyond it fails the transcript with <c>invalid_timestamp</c>).</summary>
    public TimeSpan MaxTranscriptTimestamp { get; set; } = TimeSpan.FromHours(100);
}

/// <summary>
/// The running account of one document's extraction against its <see cref="ExtractionLimits"/>. Thread-safe; extractors
/// charge it as they produce output and it throws <see cref="ExtractionException"/> with
/// <see cref="ExtractionErrorCodes.ResourceLimitsExceeded"/> the moment a limit is passed.
/// </summary>
public sealed class ExtractionBudget(ExtractionLimits limits, CancellationToken ct = default)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _decompressed;
    private long _chars;
    // A parser may catch and swallow the exception thrown from inside it (lenient modes); the next checkpoint rethrows.
    private volatile ExtractionException? _exceeded;

    public ExtractionLimits Limits { get; } = limits;

    /// <summary>Cancelled when the job is cancelled or the extraction's wall time is up.</summary>
    public CancellationToken CancellationToken { get; } = ct;

    public static ExtractionBudget Unlimited() => new(new ExtractionLimits
    {
        MaxExtractedChars = long.MaxValue, MaxDecompressedBytes = long.MaxValue, MaxPages = int.MaxValue,
        MaxNestingDepth = 10_000, MaxHtmlElements = int.MaxValue, MaxExtractionTime = Timeout.InfiniteTimeSpan,
    });

    public long DecompressedBytes => Interlocked.Read(ref _decompressed);

    /// <summary>Bytes still allowed to be decompressed.</summary>
    public long RemainingDecompressedBytes => Math.Max(0, Limits.MaxDecompressedBytes - DecompressedBytes);

    public void ChargeDecompressed(long bytes)
    {
        if (Interlocked.Add(ref _decompressed, bytes) > Limits.MaxDecompressedBytes)
            throw Fail($"Decompressing the document's streams would exceed the {Limits.MaxDecompressedBytes / (1024 * 1024)} MB limit.");
    }

    public void ChargeText(long chars)
    {
        if (Interlocked.Add(ref _chars, chars) > Limits.MaxExtractedChars)
            throw Fail($"The document has more than {Limits.MaxExtractedChars:N0} characters of text.");
    }

    public void CheckPages(int pages)
    {
        if (pages > Limits.MaxPages) throw Fail($"The document has {pages:N0} pages; the limit is {Limits.MaxPages:N0}.");
    }

    /// <summary>Called between units of work (pages, elements): stops on cancellation or when the wall time is up.</summary>
    public void Checkpoint()
    {
        ThrowIfExceeded();
        CancellationToken.ThrowIfCancellationRequested();
        if (Limits.MaxExtractionTime > TimeSpan.Zero && Stopwatch.GetElapsedTime(_started) > Limits.MaxExtractionTime) throw Fail(TimeExceeded(Limits));
    }

    /// <summary>The first limit passed, if any (a parser may have swallowed the exception thrown for it).</summary>
    public ExtractionException? ExceededLimit => _exceeded;

    public void ThrowIfExceeded()
    {
        if (_exceeded is { } exceeded) throw exceeded;
    }

    /// <summary>Records a limit as passed (see <see cref="Checkpoint"/>) and returns the exception to throw.</summary>
    public ExtractionException Fail(string message) => Fail(Exceeded(message));

    private ExtractionException Fail(ExtractionException exception) => _exceeded ??= exception;

    internal static ExtractionException TimeExceeded(ExtractionLimits limits) =>
        Exceeded($"Extracting the document took longer than {limits.MaxExtractionTime.TotalSeconds:0} s.");

    public static ExtractionException Exceeded(string message) => new(ExtractionErrorCodes.ResourceLimitsExceeded, message);
}
