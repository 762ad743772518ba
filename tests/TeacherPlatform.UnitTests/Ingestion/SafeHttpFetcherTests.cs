using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TeacherPlatform.Ingestion.Extraction;
using TeacherPlatform.Ingestion.Fetching;

namespace TeacherPlatform.UnitTests.Ingestion;

/// <summary>A real Kestrel server on a loopback port, shared by the fetcher tests.</summary>
public sealed class LocalWebServer : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri BaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();

        app.MapGet("/page", () => Results.Content("<html><body><p>Hello pianists.</p></body></html>", "text/html; charset=utf-8"));
        app.MapGet("/big", () => Results.Bytes(new byte[4096], "application/octet-stream"));
        app.MapGet("/big-chunked", async (HttpContext ctx) =>
        {
            // No Content-Length: the limit must be enforced on the bytes actually received.
            for (var i = 0; i < 8; i++)
            {
                await ctx.Response.Body.WriteAsync(new byte[512]);
                await ctx.Response.Body.FlushAsync();
            }
        });
        app.MapGet("/redirect/{n:int}", (int n) => Results.Redirect(n == 0 ? "/page" : $"/redirect/{n - 1}"));
        app.MapGet("/to-file", () => Results.Redirect("file:///etc/passwd"));
        app.MapGet("/missing", () => Results.NotFound());
        app.MapGet("/slow", async (CancellationToken ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), ct);
            return Results.Ok();
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address);
        _app = app;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}

public sealed class SafeHttpFetcherTests(LocalWebServer server) : IClassFixture<LocalWebServer>
{
    private static readonly SafeFetchOptions Local = new() { AllowPrivateNetworks = true, MaxResponseBytes = 2048 };

    [Theory]
    [InlineData("http://127.0.0.1/")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    [InlineData("http://192.168.1.10:8080/")]
    [InlineData("http://localhost/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.org/file.txt")]
    public async Task Refuses_non_public_targets_and_other_schemes(string url)
    {
        using var fetcher = new SafeHttpFetcher();
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => fetcher.FetchAsync(new Uri(url), CancellationToken.None));
        Assert.Equal(ExtractionErrorCodes.ForbiddenAddress, ex.Code);
    }

    [Fact]
    public async Task Refuses_a_local_server_unless_private_networks_are_allowed()
    {
        using var strict = new SafeHttpFetcher();
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => strict.FetchAsync(new Uri(server.BaseUrl, "/page"), CancellationToken.None));
        Assert.Equal(ExtractionErrorCodes.ForbiddenAddress, ex.Code);

        using var local = new SafeHttpFetcher(Local);
        var fetched = await local.FetchAsync(new Uri(server.BaseUrl, "/page"), CancellationToken.None);
        Assert.Equal("text/html; charset=utf-8", fetched.ContentType);
        Assert.Contains("Hello pianists.", System.Text.Encoding.UTF8.GetString(fetched.Content), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/big")]
    [InlineData("/big-chunked")]
    public async Task Enforces_the_size_limit(string path)
    {
        using var fetcher = new SafeHttpFetcher(Local);
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => fetcher.FetchAsync(new Uri(server.BaseUrl, path), CancellationToken.None));
        Assert.Equal(ExtractionErrorCodes.TooLarge, ex.Code);
    }

    [Fact]
    public async Task Follows_up_to_three_redirects_and_no_more()
    {
        using var fetcher = new SafeHttpFetcher(Local);
        var fetched = await fetcher.FetchAsync(new Uri(server.BaseUrl, "/redirect/2"), CancellationToken.None);
        Assert.Equal("/page", fetched.FinalUrl.AbsolutePath);

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => fetcher.FetchAsync(new Uri(server.BaseUrl, "/redirect/3"), CancellationToken.None));
        Assert.Equal(ExtractionErrorCodes.FetchFailed, ex.Code);
    }

    [Fact]
    public async Task Redirect_targets_are_revalidated()
    {
        using var fetcher = new SafeHttpFetcher(Local);
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => fetcher.FetchAsync(new Uri(server.BaseUrl, "/to-file"), CancellationToken.None));
        Assert.Equal(ExtractionErrorCodes.ForbiddenAddress, ex.Code);
    }

    [Fact]
    public async Task Http_errors_are_fetch_failures()
    {
        using var fetcher = new SafeHttpFetcher(Local);
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => fetcher.FetchAsync(new Uri(server.BaseUrl, "/missing"), CancellationToken.None));
        Assert.Equal(ExtractionErrorCodes.FetchFailed, ex.Code);
    }

    [Fact]
    public async Task Slow_servers_time_out_as_fetch_failures()
    {
        using var fetcher = new SafeHttpFetcher(Local with { Timeout = TimeSpan.FromMilliseconds(300) });
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => fetcher.FetchAsync(new Uri(server.BaseUrl, "/slow"), CancellationToken.None));
        Assert.Equal(ExtractionErrorCodes.FetchFailed, ex.Code);
        Assert.Contains("timed out", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("93.184.216.34", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("::", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("::ffff:10.1.2.3", false)]
    [InlineData("64:ff9b::a9fe:a9fe", false)]
    [InlineData("2002:7f00:1::", false)]
    public void Address_policy(string address, bool isPublic) =>
        Assert.Equal(isPublic, AddressPolicy.IsPublic(IPAddress.Parse(address)));
}
