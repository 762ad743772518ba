using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.IdentityModel.JsonWebTokens;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Operations;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

public static class OpsKit
{
    /// <summary>Runs the real API executable as an operator would (`TeacherPlatform.Api COMMAND …`).</summary>
    public static async Task<CliResult> RunCliAsync(IEnumerable<string> args, IDictionary<string, string?> environment, string? workingDirectory = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "TeacherPlatform.Api.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Directory.CreateTempSubdirectory("tp-cli-").FullName,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        foreach (var (k, v) in environment) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Settings (configuration form) as environment variables (Section__Key).</summary>
    public static Dictionary<string, string?> AsEnvironment(IDictionary<string, string?> settings) =>
        settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);

    public static string Kid(string jwt) => new JsonWebToken(jwt).Kid;

    /// <summary>
    /// The in-memory test server has no peer address: this filter sets it from X-Test-Peer, as the TCP connection
    /// would, so tests can play a proxy or a direct client.
    /// </summary>
    public static WebApplicationFactory<Program> WithPeerAddresses(this ApiFactory factory) =>
        factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IStartupFilter, PeerFilter>()));

    public static HttpRequestMessage From(this HttpRequestMessage request, string peer, string? forwardedFor = null)
    {
        request.Headers.Add("X-Test-Peer", peer);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return request;
    }

    private sealed class PeerFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, nxt) =>
            {
                if (http.Request.Headers.TryGetValue("X-Test-Peer", out var peer)) http.Connection.RemoteIpAddress = IPAddress.Parse(peer.ToString());
                return nxt(http);
            });
            next(app);
        };
    }
}
