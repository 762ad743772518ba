using System.Net;

namespace TeacherPlatform.Ai.Embeddings;

/// <summary>A remote embedding service answered with an error or with a payload we cannot use.</summary>
public sealed class EmbeddingServiceException : Exception
{
    public EmbeddingServiceException(string message, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, innerException) => StatusCode = statusCode;

    public HttpStatusCode? StatusCode { get; }
}
