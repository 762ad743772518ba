using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using TeacherPlatform.Tests.Storage;

namespace TeacherPlatform.Tests.Infrastructure;

/// <summary>
/// The built API (<c>src/Api/bin/&lt;configuration&gt;/net10.0/TeacherPlatform.Api.dll</c>) as a real child process on a
/// loopback port, for what the in-memory test host cannot show: <c>kill -9</c>, SIGTERM, a separate worker process.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ApiProcess(Process process, Uri? baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri? BaseAddress { get; }
    public bool HasExited => _process.HasExited;
    public int Id => _process.Id;
    public string Output { get { lock (_output) return string.Join('\n', _output); } }

    /// <summary>Starts the HTTP server and waits until <c>/api/health/live</c> answers.</summary>
    public static async Task<ApiProcess> StartServerAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        var api = new ApiProcess(Launch(settings, ["--urls", baseAddress.ToString()]), baseAddress);
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartPatience;
        while (true)
        {
            if (api.HasExited) throw new InvalidOperationException($"The API exited during start-up:\n{api.Output}");
            try
            {
                using var live = await http.GetAsync("/api/health/live");
                if (live.IsSuccessStatusCode) return api;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { }
            if (DateTime.UtcNow > deadline) { await api.DisposeAsync(); throw new TimeoutException($"The API did not start:\n{api.Output}"); }
            await Task.Delay(100);
        }
    }

    /// <summary>Starts the <c>worker</c> command (ingestion workers only, no HTTP).</summary>
    public static ApiProcess StartWorker(IReadOnlyDictionary<string, string?> settings) => new(Launch(settings, ["worker"]), null);

    public HttpClient CreateClient(string? accessToken = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        if (accessToken is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    /// <summary>Registers a user over HTTP: (client with the access token, the token response).</summary>
    public async Task<(HttpClient Client, JsonObject Tokens)> RegisterAsync(string role)
    {
        using var anon = CreateClient();
        var response = await anon.PostAsJsonAsync("/api/auth/register",
            new { email = $"{role}-{Guid.NewGuid():N}@example.com", password = TestClients.Password, display_name = role, role });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var tokens = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return (CreateClient(tokens["access_token"]!.GetValue<string>()), tokens);
    }

    /// <summary>kill -9: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a service manager or container runtime stops the process.</summary>
    public void Terminate()
    {
        if (!_process.HasExited && sys_kill(_process.Id, 15) != 0)
            throw new InvalidOperationException($"kill(SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public async Task<bool> WaitForExitAsync(TimeSpan patience)
    {
        using var cts = new CancellationTokenSource(patience);
        try { await _process.WaitForExitAsync(cts.Token); return true; }
        catch (OperationCanceledException) { return false; }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static Process Launch(IReadOnlyDictionary<string, string?> settings, string[] arguments)
    {
        var dll = ApiDll();
        var start = new ProcessStartInfo("dotnet", [dll, .. arguments])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Configuration the ASP.NET Core way: environment variables, Section__Key.
        foreach (var key in start.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the API process.");
    }

    private static string ApiDll()
    {
        // The same configuration the tests were built in (dotnet build builds the API beside them).
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(RepositoryRoot.Find(), "src", "Api", "bin", configuration, "net10.0", "TeacherPlatform.Api.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the API first: {dll} is missing.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int sys_kill(int pid, int signal);
}
