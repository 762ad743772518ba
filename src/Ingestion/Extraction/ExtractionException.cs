namespace TeacherPlatform.Ingestion.Extraction;

/// <summary>Stable error codes surfaced to users through the knowledge status endpoint; never rename.</summary>
public static class ExtractionErrorCodes
{
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string CorruptFile = "corrupt_file";
    public const string NoExtractableText = "no_extractable_text";
    public const string TooLarge = "too_large";
    public const string PasswordProtected = "password_protected";
    public const string FetchFailed = "fetch_failed";
    public const string ForbiddenAddress = "forbidden_address";
    /// <summary>The document exceeded a per-job budget (size, decompressed bytes, pages, nesting, time): never retried.</summary>
    public const string ResourceLimitsExceeded = "resource_limits_exceeded";
    /// <summary>A transcript cue's timestamp is malformed or beyond the accepted range.</summary>
    public const string InvalidTimestamp = "invalid_timestamp";
}

/// <summary>A document could not be turned into text; <see cref="Code"/> is one of <see cref="ExtractionErrorCodes"/>.</summary>
public sealed class ExtractionException : Exception
{
    public ExtractionException(string code, string message, Exception? innerException = null)
        : base(message, innerException) => Code = code;

    public string Code { get; }

    /// <summary>Permanent failures (bad input) should not be retried by the job queue; fetch failures may be transient.</summary>
    public bool IsPermanent => Code != ExtractionErrorCodes.FetchFailed;
}
