using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TeacherPlatform.Edge;
using TeacherPlatform.Tests.Infrastructure;
using TeacherPlatform.Tests.Projects;

namespace TeacherPlatform.Tests.Edge;

/// <summary>Requests that reached an API instance (method, path, Range header), recorded by a startup filter.</summary>
public sealed class ApiRequestLog
{
    public ConcurrentQueue<(string Method, string Path, string? Range)> Requests { get; } = new();

    public int Count(Func<(string Method, string Path, string? Range), bool> predicate) => Requests.Count(predicate);

    internal sealed class Filter(ApiRequestLog log) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, nxt) =>
            {
                log.Requests.Enqueue((http.Request.Method, http.Request.Path.Value ?? "", http.Request.Headers.Range.FirstOrDefault()));
                return nxt(http);
            });
            next(app);
        };
    }
}

/// <summary>The real API on a real Kestrel loopback port (its own Program, real database and storage).</summary>
public sealed class RunningApi : IAsyncDisposable
{
    private readonly ApiFactory _root;
    private readonly WebApplicationFactory<Program> _factory;
    private bool _stopped;

    private RunningApi(ApiFactory root, WebApplicationFactory<Program> factory, ApiRequestLog log)
    {
        _root = root;
        _factory = factory;
        Log = log;
        _factory.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var address = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1"));
    }

    public static RunningApi Start(IDictionary<string, string?>? settings = null)
    {
        var root = ApiFactory.With(settings ?? new Dictionary<string, string?>());
        var log = new ApiRequestLog();
        var factory = root.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new ApiRequestLog.Filter(log))));
        return new RunningApi(root, factory, log);
    }

    public Uri BaseUrl { get; }
    public ApiRequestLog Log { get; }
    public string DataDirectory => _root.DataDirectory;
    public IServiceProvider Services => _factory.Services;

    /// <summary>Stops the server: its port refuses connections afterwards.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _factory.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _root.DisposeAsync();
    }
}

/// <summary>The edge (its real composition) on a Kestrel loopback port, in front of the given upstreams.</summary>
public sealed class RunningEdge : IAsyncDisposable
{
    private RunningEdge(WebApplication app, string cacheDirectory)
    {
        App = app;
        CacheDirectory = cacheDirectory;
        BaseUrl = new Uri(app.Urls.First());
        Client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(120) };
    }

    public WebApplication App { get; }
    public Uri BaseUrl { get; }
    public HttpClient Client { get; }
    public string CacheDirectory { get; }
    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public static async Task<RunningEdge> StartAsync(IEnumerable<Uri> upstreams, IDictionary<string, string?>? settings = null, TimeProvider? clock = null)
    {
        var cache = Directory.CreateTempSubdirectory("tp-edge-cache-").FullName;
        var all = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:Console:FormatterName"] = "simple",
            ["Edge:Cache:Directory"] = cache,
            ["Edge:RateLimiting:Enabled"] = "false",
        };
        var i = 0;
        foreach (var u in upstreams) all[$"Edge:Upstreams:{i++}"] = u.ToString().TrimEnd('/');
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        var app = EdgeApp.Build(["--urls", "http://127.0.0.1:0"], all, services =>
        {
            if (clock is not null) services.Replace(ServiceDescriptor.Singleton(clock));
        });
        await app.StartAsync();
        return new RunningEdge(app, cache);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        try { Directory.Delete(CacheDirectory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Users, projects and uploads through the edge only.</summary>
public static class EdgeFlows
{
    private static int _counter;

    public static async Task<TestUser> RegisterAsync(RunningEdge edge, string role = "teacher")
    {
        var email = $"edge-{role}{Interlocked.Increment(ref _counter)}-{Guid.NewGuid():N}@example.com";
        var response = await edge.Client.PostAsJsonAsync("/api/auth/register", new { email, password = TestClients.Password, display_name = $"{role} user", role });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var login = await edge.Client.PostAsJsonAsync("/api/auth/login", new { email, password = TestClients.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = await login.ReadJsonAsync();
        var access = body["access_token"]!.GetValue<string>();
        var client = new HttpClient { BaseAddress = edge.BaseUrl, Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return new TestUser(Guid.Parse(body["user"]!["id"]!.GetValue<string>()), email, role, access, body["refresh_token"]!.GetValue<string>(), client);
    }

    /// <summary>Create, upload and confirm through the edge; a local upload URL is sent to the edge too, an S3 one to S3.</summary>
    public static async Task<Guid> CreateReadyAsync(RunningEdge edge, TestUser owner, byte[] pdf, bool s3 = false, string title = "Clair de lune")
    {
        var created = await ProjectTestKit.CreateAsync(owner, title);
        var url = created.UploadUrl;
        if (!s3) url = new UriBuilder(url) { Scheme = edge.BaseUrl.Scheme, Host = edge.BaseUrl.Host, Port = edge.BaseUrl.Port }.Uri;
        using var http = new HttpClient();
        var put = await ProjectTestKit.UploadAsync(http, url, pdf);
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var confirm = await owner.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { });
        Assert.True(confirm.StatusCode == HttpStatusCode.OK, await confirm.Content.ReadAsStringAsync());
        return created.Id;
    }
}
