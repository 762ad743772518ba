using System.Net;
using System.Net.Sockets;
using TeacherPlatform.Ingestion.Extraction;

namespace TeacherPlatform.Ingestion.Fetching;

/// <summary>
/// SSRF-safe HTTP GET for web sources. Host names are resolved and checked by <see cref="AddressPolicy"/> inside the
/// socket connect callback, and the socket connects to the very address that was checked, so a DNS answer that
/// changes between check and use (rebinding) cannot redirect the request. Redirects are followed by hand, at most
/// <see cref="SafeFetchOptions.MaxRedirects"/>, each target re-validated.
/// </summary>
public sealed class SafeHttpFetcher : IDisposable
{
    /// <summary>The named <see cref="IHttpClientFactory"/> client whose primary handler is <see cref="CreateHandler"/>.</summary>
    public const string HttpClientName = "TeacherPlatform.Ingestion.Fetch";

    private readonly SafeFetchOptions _options;
    private readonly HttpClient _client;
    private readonly bool _ownsClient;

    /// <summary>A fetcher with a client of its own (tools and tests); the service uses the factory's shared handler.</summary>
    public SafeHttpFetcher(SafeFetchOptions? options = null)
        : this(new HttpClient(CreateHandler(options ??= new SafeFetchOptions())) { Timeout = Timeout.InfiniteTimeSpan }, options, ownsClient: true)
    {
    }

    /// <param name="client">A client over <see cref="CreateHandler"/> built with the same options (the address check lives there).</param>
    public SafeHttpFetcher(HttpClient client, SafeFetchOptions options) : this(client, options, ownsClient: false)
    {
    }

    private SafeHttpFetcher(HttpClient client, SafeFetchOptions options, bool ownsClient)
    {
        _client = client;
        _options = options;
        _ownsClient = ownsClient;
    }

    /// <summary>The handler every fetch must go through: no proxy, no automatic redirects, the address check at connect time.</summary>
    public static SocketsHttpHandler CreateHandler(SafeFetchOptions options) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false, // a proxy would resolve names itself and bypass the address check
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.All,
        ConnectTimeout = options.Timeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = (context, ct) => ConnectAsync(context, options.AllowPrivateNetworks, ct),
    };

    public async Task<FetchedContent> FetchAsync(Uri url, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            var current = url;
            for (var redirects = 0; ; redirects++)
            {
                await ValidateAsync(current, timeout.Token).ConfigureAwait(false);
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                request.Headers.UserAgent.ParseAdd(_options.UserAgent);
                request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5");
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);

                if (IsRedirect(response.StatusCode))
                {
                    if (redirects >= _options.MaxRedirects) throw Failed($"More than {_options.MaxRedirects} redirects.");
                    var location = response.Headers.Location ?? throw Failed("Redirect without a Location header.");
                    current = location.IsAbsoluteUri ? location : new Uri(current, location);
                    continue;
                }

                if (!response.IsSuccessStatusCode) throw Failed($"The server answered {(int)response.StatusCode} {response.ReasonPhrase}.");
                var body = await ReadBoundedAsync(response.Content, timeout.Token).ConfigureAwait(false);
                return new FetchedContent(body, response.Content.Headers.ContentType?.ToString(), current);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw Failed($"The fetch timed out after {_options.Timeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex) when (FindExtractionException(ex) is { } inner)
        {
            throw inner;
        }
        catch (HttpRequestException ex)
        {
            throw Failed($"The request failed: {ex.Message}", ex);
        }
    }

    public void Dispose()
    {
        if (_ownsClient) _client.Dispose();
    }

    /// <summary>Early, friendly checks; the authoritative address check happens again at connect time.</summary>
    private async Task ValidateAsync(Uri url, CancellationToken ct)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            throw new ExtractionException(ExtractionErrorCodes.ForbiddenAddress, $"Only http and https URLs can be fetched, not '{url.Scheme}'.");
        if (!string.IsNullOrEmpty(url.UserInfo))
            throw new ExtractionException(ExtractionErrorCodes.ForbiddenAddress, "URLs with embedded credentials are not fetched.");
        await ResolveAllowedAsync(url.IdnHost, _options.AllowPrivateNetworks, ct).ConfigureAwait(false);
    }

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivateNetworks, CancellationToken ct)
    {
        var addresses = await ResolveAllowedAsync(context.DnsEndPoint.Host, allowPrivateNetworks, ct).ConfigureAwait(false);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw Failed($"Could not connect to {context.DnsEndPoint.Host}.", last);
    }

    /// <summary>Resolves a host and refuses it if ANY of its addresses is non-public (mixed answers are a rebinding tell).</summary>
    private static async Task<IPAddress[]> ResolveAllowedAsync(string host, bool allowPrivateNetworks, CancellationToken ct)
    {
        var trimmed = host.Trim('[', ']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(trimmed, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(trimmed, ct).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw Failed($"The host '{host}' could not be resolved.", ex);
            }
        }

        if (addresses.Length == 0) throw Failed($"The host '{host}' has no addresses.");
        if (!allowPrivateNetworks && addresses.Any(a => !AddressPolicy.IsPublic(a)))
            throw new ExtractionException(ExtractionErrorCodes.ForbiddenAddress, $"The host '{host}' is not a public address.");
        return addresses;
    }

    private async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken ct)
    {
        var max = _options.MaxResponseBytes;
        if (content.Headers.ContentLength > max) throw TooLarge(max);

        await using var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        // Content-Length can lie or be absent (chunked); count what actually arrives.
        while ((read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > max) throw TooLarge(max);
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static ExtractionException? FindExtractionException(Exception ex)
    {
        for (var e = ex.InnerException; e is not null; e = e.InnerException)
            if (e is ExtractionException extraction) return extraction;
        return null;
    }

    private static ExtractionException Failed(string message, Exception? inner = null) =>
        new(ExtractionErrorCodes.FetchFailed, message, inner);

    private static ExtractionException TooLarge(long max) =>
        new(ExtractionErrorCodes.TooLarge, $"The response exceeds {max} bytes.");
}
