using System.Text.Json;

namespace TeacherPlatform.Ai.Embeddings;

/// <summary>Shared plumbing for the HTTP embedders: error mapping and defensive validation of returned vectors.</summary>
internal static class RemoteEmbeddingResponse
{
    private const int MaxErrorBodyChars = 500;

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, string service, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (body.Length > MaxErrorBodyChars) body = body[..MaxErrorBodyChars];
            throw new EmbeddingServiceException(
                $"{service} returned {(int)response.StatusCode} {response.ReasonPhrase}: {body}", response.StatusCode);
        }
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return await JsonSerializer.DeserializeAsync<T>(stream, JsonOptions, cancellationToken).ConfigureAwait(false)
                ?? throw new EmbeddingServiceException($"{service} returned an empty body.", response.StatusCode);
        }
        catch (JsonException ex)
        {
            throw new EmbeddingServiceException($"{service} returned malformed JSON: {ex.Message}", response.StatusCode, ex);
        }
    }

    public static float[] Checked(float[]? vector, int dimensions, string service)
    {
        if (vector is null || vector.Length != dimensions)
            throw new EmbeddingServiceException(
                $"{service} returned a vector of {vector?.Length ?? 0} dimensions; expected {dimensions}.");
        VectorMath.NormalizeInPlace(vector);
        return vector;
    }

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
