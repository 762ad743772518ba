using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace TeacherPlatform.Tests.Infrastructure;

/// <summary>
/// The real API (real pipeline, real database) per test class. The database provider comes from
/// TEST_DB_PROVIDER (sqlite | postgres): scripts/test.sh runs the whole suite once per provider.
/// SQLite gets a fresh file in a temp directory; PostgreSQL (PGlite + pgvector, or a real server) gets a fresh schema.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new();
    private readonly string? _schema;
    private readonly string? _adminConnection;

    public ApiFactory() : this(null) { }

    /// <summary>For tests that need their own settings (e.g. a low rate limit): create and dispose it in the test.</summary>
    public static ApiFactory With(IDictionary<string, string?> overrides) => new(overrides);

    private ApiFactory(IDictionary<string, string?>? overrides)
    {
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
            _schema = "t_" + Guid.NewGuid().ToString("N")[..12];
            _adminConnection = PostgresConnectionString;
            // PGlite serves one connection: the previous test class's connection may still be closing, so retry briefly.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_adminConnection) { Pooling = false }.ConnectionString);
                    c.Open();
                    using var cmd = new NpgsqlCommand($"CREATE SCHEMA {_schema}", c);
                    cmd.ExecuteNonQuery();
                    break;
                }
                catch (NpgsqlException) when (attempt < 40)
                {
                    Thread.Sleep(250);
                }
            }
            _settings["Database:Provider"] = "Postgres";
            _settings["Database:ConnectionString"] = _adminConnection;
            // PGlite ignores the search_path startup parameter: set it on every connection instead.
            _settings["Database:SessionSearchPath"] = $"{_schema},public";
        }
        if (overrides is not null) foreach (var (k, v) in overrides) _settings[k] = v;
    }

    public static bool IsPostgres => string.Equals(Environment.GetEnvironmentVariable("TEST_DB_PROVIDER"), "postgres", StringComparison.OrdinalIgnoreCase);

    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("TEST_POSTGRES_CONNECTION")
        ?? "Host=127.0.0.1;Port=54329;Username=postgres;Password=postgres;Database=postgres;Maximum Pool Size=1;SSL Mode=Disable;Timeout=30;Command Timeout=60";

    public string DataDirectory { get; }

    /// <summary>Data directory and database settings: a second instance given these shares this one's state.</summary>
    public Dictionary<string, string?> SharedStateSettings() =>
        _settings.Where(s => s.Key == "Data:Directory" || s.Key.StartsWith("Database:", StringComparison.Ordinal)).ToDictionary();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_settings));
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.Timeout = TimeSpan.FromSeconds(120);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_schema is not null)
        {
            try
            {
                await using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_adminConnection) { Pooling = false }.ConnectionString);
                await c.OpenAsync();
                await using var cmd = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", c);
                await cmd.ExecuteNonQueryAsync();
            }
            catch (NpgsqlException) { /* best effort: the in-memory server is discarded after the run */ }
        }
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
