using System.Net;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace TeacherPlatform.Edge.Proxy;

/// <summary>
/// The edge's own calls to the API (access checks, JWKS, cache fills). It picks instances from YARP's health state, so a
/// stopped instance is skipped, and moves on to the next one when a connection cannot be made.
/// </summary>
public sealed class UpstreamClient(IProxyStateLookup proxy) : IDisposable
{
    private readonly HttpMessageInvoker _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
    });
    private int _next;

    /// <summary>Healthy instances first (YARP's view), then the rest: the API may be back before the probe notices.</summary>
    public IReadOnlyList<string> Candidates()
    {
        if (!proxy.TryGetCluster(ProxySetup.ClusterId, out var cluster)) return [];
        var available = cluster.DestinationsState.AvailableDestinations;
        var all = cluster.Destinations.Values.ToList();
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)Math.Max(1, available.Count));
        var ordered = available.Skip(start).Concat(available.Take(start)).Concat(all.Where(d => !available.Contains(d)));
        return ordered.Select(d => d.Model.Config.Address.TrimEnd('/')).ToList();
    }

    public async Task<HttpResponseMessage> SendAsync(Func<string, HttpRequestMessage> request, CancellationToken ct)
    {
        HttpRequestException? last = null;
        foreach (var baseUrl in Candidates())
        {
            using var message = request(baseUrl);
            try
            {
                return await _http.SendAsync(message, ct);
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError)
            {
                last = ex; // nothing reached this instance: the next one may answer
            }
        }
        throw new UpstreamUnavailableException(last);
    }

    public void Dispose() => _http.Dispose();
}

public sealed class UpstreamUnavailableException(Exception? inner) : Exception("No API instance could be reached.", inner);
