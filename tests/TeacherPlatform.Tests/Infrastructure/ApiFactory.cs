using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;

namespace TeacherPlatform.Tests.Infrastructure;

/// <summary>
/// The real API (real pipeline, real database) per test class. The database provider comes from
/// TEST_DB_PROVIDER (sqlite | postgres): scripts/test.sh runs the whole suite once per provider.
/// SQLite gets a fresh file in a temp directory; PostgreSQL (PGlite + pgvector, or a real server) a fresh database.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new();
    private readonly PostgresTestDatabase? _database;
    private readonly TimeProvider? _time;

    public ApiFactory() : this(null) { }

    /// <summary>For tests that need their own settings (e.g. a low rate limit): create and dispose it in the test.</summary>
    public static ApiFactory With(IDictionary<string, string?> overrides) => new(overrides);

    /// <summary>A host whose every time-driven part (leases, lockouts, URL expiry, cleanup, LLM deadlines) runs on <paramref name="time"/>.</summary>
    public static ApiFactory With(TimeProvider time, IDictionary<string, string?>? overrides = null) => new(overrides, time);

    private ApiFactory(IDictionary<string, string?>? overrides, TimeProvider? time = null)
    {
        _time = time;
        DataDirectory = Directory.CreateTempSubdirectory("tp-test-").FullName;
        _settings["Data:Directory"] = DataDirectory;
        _settings["RateLimiting:Enabled"] = "false";
        // Real Argon2id, cheaper cost: the suite registers hundreds of users.
        _settings["Auth:Password:MemoryKib"] = "1024";
        _settings["Auth:Password:Iterations"] = "1";
        _settings["Logging:LogLevel:Default"] = "Warning";
        _settings["Logging:Console:FormatterName"] = "simple";
        _settings["Ingestion:PollInterval"] = "00:00:00.200";
        _settings["Ingestion:RetryBaseDelay"] = "00:00:00.200";

        if (IsPostgres)
        {
            // A database of its own (created outside xunit's synchronisation context, which must not be blocked on).
            _database = Task.Run(PostgresTestDatabases.CreateAsync).GetAwaiter().GetResult();
            _settings["Database:Provider"] = "Postgres";
            _settings["Database:ConnectionString"] = _database.ConnectionString;
        }
        if (overrides is not null) foreach (var (k, v) in overrides) _settings[k] = v;
    }

    public static bool IsPostgres => string.Equals(Environment.GetEnvironmentVariable("TEST_DB_PROVIDER"), "postgres", StringComparison.OrdinalIgnoreCase);

    public string DataDirectory { get; }

    /// <summary>Data directory and database settings: a second instance given these shares this one's state.</summary>
    public Dictionary<string, string?> SharedStateSettings() =>
        _settings.Where(s => s.Key == "Data:Directory" || s.Key.StartsWith("Database:", StringComparison.Ordinal)).ToDictionary();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_settings));
        if (_time is not null) builder.ConfigureTestServices(services => services.AddSingleton(_time));
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.Timeout = TimeSpan.FromSeconds(120);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
