namespace TeacherPlatform.Core.Persistence;

public enum DatabaseProvider { Sqlite, Postgres }

public sealed class DatabaseOptions
{
    public const string Section = "Database";
    /// <summary>sqlite (default, file under the data directory) or postgres.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    /// <summary>Connection string; for SQLite defaults to {Data:Directory}/teacherplatform.db.</summary>
    public string? ConnectionString { get; set; }
    /// <summary>Run pending schema migrations at start-up (the `migrate` command runs them explicitly).</summary>
    public bool MigrateOnStartup { get; set; } = true;
    /// <summary>
    /// How long start-up waits for the database to accept connections (containers starting side by side) before it
    /// gives up. Zero: do not wait.
    /// </summary>
    public TimeSpan StartupWaitTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
