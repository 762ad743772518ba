using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TeacherPlatform.Api.Features.Storage;
using TeacherPlatform.Core.Storage;

namespace TeacherPlatform.Tests.Storage;

/// <summary>
/// A minimal API host on Kestrel (real HTTP) wired exactly like the app: <c>AddObjectStorage</c> + <c>MapStorageEndpoints</c>.
/// </summary>
public sealed class StorageTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StorageTestHost(WebApplication app, Uri baseAddress, string dataDirectory)
    {
        _app = app;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }
    public string DataDirectory { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => _app.Services;
    public IObjectStorage Storage => _app.Services.GetRequiredService<IObjectStorage>();

    public static async Task<StorageTestHost> StartAsync(
        IDictionary<string, string?> settings,
        Action<IServiceCollection>? configureServices = null)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("tp-storage-").FullName;
        var port = FreeTcpPort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls(baseAddress.ToString());
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Data:Directory"] = dataDirectory,
            ["Storage:Local:PublicBaseUrl"] = baseAddress.ToString(),
        });
        builder.Configuration.AddInMemoryCollection(settings);
        // Registered first so that AddObjectStorage's TryAdd keeps the test's choices (e.g. a FakeTimeProvider).
        configureServices?.Invoke(builder.Services);
        builder.Services.AddObjectStorage(builder.Configuration);

        var app = builder.Build();
        app.MapStorage();
        await app.StartAsync();
        return new StorageTestHost(app, baseAddress, dataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
