namespace TeacherPlatform.Ai.Connectors;

/// <summary>
/// Hands every model response to the <see cref="LlmCallScope"/> it was requested under, so a cancelled call closes
/// its connection even when the SDK between the connector and the HTTP client drops the response undisposed.
/// </summary>
internal sealed class ScopedResponseHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        LlmCallScope.Current?.Own(response);
        return response;
    }
}
