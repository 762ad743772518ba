using System.Net;

namespace TeacherPlatform.Ai.Connectors;

/// <summary>The language model service failed or answered with something unusable.</summary>
public class LlmServiceException : Exception
{
    public LlmServiceException(string message, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, innerException) => StatusCode = statusCode;

    public HttpStatusCode? StatusCode { get; }
}

/// <summary>
/// A streamed answer broke after it had started (dropped connection, malformed event, error event).
/// Tokens yielded before it are real model output; the answer is incomplete.
/// </summary>
public sealed class LlmStreamException : LlmServiceException
{
    public LlmStreamException(string message, Exception? innerException = null)
        : base(message, innerException: innerException)
    {
    }
}

public enum LlmTimeoutKind
{
    /// <summary>No text arrived within the first-token deadline.</summary>
    FirstToken,

    /// <summary>The whole call exceeded its deadline.</summary>
    Request,
}

/// <summary>A model call missed one of its deadlines (see <see cref="LlmTimeouts"/>).</summary>
public sealed class LlmTimeoutException : TimeoutException
{
    public LlmTimeoutException(string service, LlmTimeoutKind kind, TimeSpan timeout, Exception? innerException = null)
        : base(kind == LlmTimeoutKind.FirstToken
            ? $"{service} produced no token within {timeout.TotalSeconds:0.###} s."
            : $"{service} did not complete within {timeout.TotalSeconds:0.###} s.", innerException)
    {
        Kind = kind;
        Timeout = timeout;
    }

    public LlmTimeoutKind Kind { get; }
    public TimeSpan Timeout { get; }
}
