using System.Diagnostics;
using Microsoft.Extensions.Options;
using TeacherPlatform.Edge.Infrastructure;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace TeacherPlatform.Edge.Proxy;

/// <summary>
/// Retries a request on another instance only when it is idempotent, has no body and never reached the API (the TCP
/// connection failed). Anything that may have been seen by an API instance is not replayed. Also times each upstream hop.
/// </summary>
public sealed class ConnectRetryMiddleware(RequestDelegate next, IOptions<EdgeOptions> options, EdgeMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        metrics.Request("proxy");
        var feature = context.GetReverseProxyFeature();
        // Load balancing narrows AvailableDestinations to the chosen one: keep the full candidate list for retries.
        var candidates = feature.AvailableDestinations;
        for (var attempt = 0; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            await next(context);
            var destination = feature.ProxiedDestination;
            metrics.RecordUpstream(destination?.DestinationId, context.Response.StatusCode, Stopwatch.GetElapsedTime(started));

            var error = context.Features.Get<IForwarderErrorFeature>();
            if (error is null || attempt >= options.Value.MaxConnectRetries || context.Response.HasStarted
                || !IsConnectFailure(error) || !CanReplay(context.Request)) return;

            candidates = candidates.Where(d => d != destination).ToList();
            if (candidates.Count == 0) return;
            feature.AvailableDestinations = candidates;
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status200OK;
            metrics.Retries.Add(1);
        }
    }

    private static bool IsConnectFailure(IForwarderErrorFeature error) =>
        error.Error == ForwarderError.Request
        && error.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError };

    private static bool CanReplay(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
         || HttpMethods.IsDelete(request.Method))
        && request.ContentLength is null or 0 && !request.Headers.ContainsKey("Transfer-Encoding");
}
