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
    /// PostgreSQL only: schemas set with SET search_path on every opened connection. For servers that ignore the
    /// search_path startup parameter (PGlite's socket server); normally use "Search Path=" in the connection string.
    /// </summary>
    public string? SessionSearchPath { get; set; }
}
