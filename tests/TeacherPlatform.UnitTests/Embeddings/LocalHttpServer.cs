using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TeacherPlatform.UnitTests.Embeddings;

/// <summary>A request as the fake service saw it.</summary>
public sealed record RecordedRequest(string Method, string Path, string? Authorization, JsonNode? Body);

/// <summary>A real Kestrel server on 127.0.0.1 with an ephemeral port, answering every POST with the given handler.</summary>
public sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalHttpServer(WebApplication app) => _app = app;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();
    public Uri BaseAddress { get; private set; } = null!;

    public static Task<LocalHttpServer> StartAsync(Func<RecordedRequest, IResult> respond) =>
        StartAsync((recorded, context) => respond(recorded).ExecuteAsync(context));

    /// <summary>Starts a server whose handler writes the response itself (streams, delays, aborted connections).</summary>
    public static async Task<LocalHttpServer> StartAsync(Func<RecordedRequest, HttpContext, Task> handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new LocalHttpServer(app);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            var body = await JsonNode.ParseAsync(context.Request.Body);
            var recorded = new RecordedRequest(context.Request.Method, context.Request.Path.Value!,
                context.Request.Headers.Authorization.FirstOrDefault(), body);
            server.Requests.Enqueue(recorded);
            await handle(recorded, context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
