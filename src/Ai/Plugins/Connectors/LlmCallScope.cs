using System.ClientModel;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using TextContent = Microsoft.Extensions.AI.TextContent;

namespace TeacherPlatform.Ai.Connectors;

/// <summary>
/// One model call's cancellation: the caller's token joined with the request and first-token deadlines,
/// plus the translation of whatever the transport threw into the connector exceptions.
/// </summary>
internal sealed class LlmCallScope : IDisposable
{
    // The scope of the model call running on this async flow, for ScopedResponseHandler. Set before every step of
    // the call: an async iterator resumes on its consumer's flow, not on the one it set.
    private static readonly AsyncLocal<LlmCallScope?> CurrentScope = new();

    private readonly string _service;
    private readonly LlmTimeouts _timeouts;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource _request;
    private readonly CancellationTokenSource? _firstToken;
    private readonly CancellationTokenSource _linked;
    private bool _tokenArrived;

    private LlmCallScope(string service, LlmTimeouts timeouts, TimeProvider time, bool streaming, CancellationToken caller)
    {
        _service = service;
        _timeouts = timeouts;
        _caller = caller;
        _request = new CancellationTokenSource(timeouts.Request, time);
        _firstToken = streaming ? new CancellationTokenSource(timeouts.FirstToken, time) : null;
        _linked = _firstToken is null
            ? CancellationTokenSource.CreateLinkedTokenSource(caller, _request.Token)
            : CancellationTokenSource.CreateLinkedTokenSource(caller, _request.Token, _firstToken.Token);
    }

    public static LlmCallScope ForResponse(string service, LlmTimeouts timeouts, TimeProvider time, CancellationToken caller) =>
        new(service, timeouts, time, streaming: false, caller);

    public static LlmCallScope ForStream(string service, LlmTimeouts timeouts, TimeProvider time, CancellationToken caller) =>
        new(service, timeouts, time, streaming: true, caller);

    /// <summary>Pass this to the HTTP send and every read so any deadline or the caller aborts the request.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>The scope of the model call on this async flow, if any.</summary>
    public static LlmCallScope? Current => CurrentScope.Value;

    /// <summary>Makes this the current scope for the HTTP sends the next step of the call makes.</summary>
    public void Enter() => CurrentScope.Value = this;

    /// <summary>
    /// Closes the body of <paramref name="response"/> (and with it the connection) when the call is cancelled by a
    /// deadline or the caller, whoever holds it then. System.ClientModel's transport (under the OpenAI SDK) moves the
    /// content out of the response message and, when it sees the cancellation before reading, drops it undisposed:
    /// the connection would stay open and the model would keep generating for nobody.
    /// </summary>
    public void Own(HttpResponseMessage response)
    {
        var content = response.Content;
        try
        {
            _linked.Token.Register(static c => ((HttpContent)c!).Dispose(), content);
        }
        catch (ObjectDisposedException)
        {
            content.Dispose(); // the call is already over
        }
    }

    public void TokenArrived()
    {
        if (_tokenArrived) return;
        _tokenArrived = true;
        _firstToken?.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    /// <summary>Maps a failure to what callers should see; returns <paramref name="error"/> itself when it is already right.</summary>
    public Exception Translate(Exception error, bool streamStarted)
    {
        // The caller gave up: that is cancellation, whatever the transport made of it.
        if (_caller.IsCancellationRequested)
            return error as OperationCanceledException ?? new OperationCanceledException("The model call was cancelled.", error, _caller);
        if (_firstToken is { IsCancellationRequested: true } && !_tokenArrived)
            return new LlmTimeoutException(_service, LlmTimeoutKind.FirstToken, _timeouts.FirstToken, error);
        if (_request.IsCancellationRequested)
            return new LlmTimeoutException(_service, LlmTimeoutKind.Request, _timeouts.Request, error);
        return error switch
        {
            LlmServiceException => error,
            _ when streamStarted => new LlmStreamException($"{_service} stream failed after it started: {error.Message}", error),
            HttpOperationException sk => new LlmServiceException($"{_service} call failed: {sk.Message}", sk.StatusCode, sk),
            ClientResultException client => new LlmServiceException(
                $"{_service} call failed: {client.Message}", client.Status == 0 ? null : (HttpStatusCode)client.Status, client),
            HttpRequestException http => new LlmServiceException($"{_service} call failed: {http.Message}", http.StatusCode, http),
            _ => new LlmServiceException($"{_service} call failed: {error.Message}", innerException: error),
        };
    }

    public void Dispose()
    {
        _linked.Dispose();
        _firstToken?.Dispose();
        _request.Dispose();
    }
}

internal static class LlmStreaming
{
    /// <summary>
    /// Runs one non-streaming call under an <see cref="LlmCallScope"/>: the request deadline applies and whatever
    /// the transport throws comes out as the connector exceptions, the same for every connector.
    /// </summary>
    public static async Task<T> GuardAsync<T>(
        string service, LlmTimeouts timeouts, TimeProvider time, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var scope = LlmCallScope.ForResponse(service, timeouts, time, cancellationToken);
        try
        {
            scope.Enter();
            return await call(scope.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (scope.Translate(ex, streamStarted: false) is var mapped && !ReferenceEquals(mapped, ex))
        {
            throw mapped;
        }
    }

    /// <summary>
    /// Runs <paramref name="open"/> under an <see cref="LlmCallScope"/>: enforces both deadlines and turns failures
    /// after the first update into <see cref="LlmStreamException"/> (never retried: the tokens are already out).
    /// </summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> GuardAsync(
        string service,
        LlmTimeouts timeouts,
        TimeProvider time,
        Func<CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> open,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var scope = LlmCallScope.ForStream(service, timeouts, time, cancellationToken);
        var started = false;
        var updates = open(scope.Token).GetAsyncEnumerator(scope.Token);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    scope.Enter();
                    if (!await updates.MoveNextAsync().ConfigureAwait(false)) yield break;
                    update = updates.Current;
                }
                catch (Exception ex)
                {
                    var mapped = scope.Translate(ex, started);
                    if (ReferenceEquals(mapped, ex)) throw;
                    throw mapped;
                }

                if (update.Contents.OfType<TextContent>().Any(t => !string.IsNullOrEmpty(t.Text)))
                {
                    started = true;
                    scope.TokenArrived();
                }
                yield return update;
            }
        }
        finally
        {
            // Disposing mid-stream releases the response, which closes the connection: the server sees the abort.
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }
}
