using System.Data;
using System.Globalization;
using Dapper;

namespace TeacherPlatform.Core.Persistence;

/// <summary>
/// One mapping for both providers: PostgreSQL has native uuid/timestamptz, SQLite stores them as text.
/// Timestamps are written as fixed-width UTC ISO-8601 so text comparison orders them correctly in SQLite.
/// </summary>
public static class DapperSetup
{
    private static int _configured;

    public static void EnsureConfigured()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1) return;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.RemoveTypeMap(typeof(Guid));
        SqlMapper.RemoveTypeMap(typeof(Guid?));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new GuidHandler());
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
        SqlMapper.AddTypeHandler(new VectorHandler());
    }

    private static bool IsSqlite(IDbDataParameter p) => p is Microsoft.Data.Sqlite.SqliteParameter;

    public static string FormatTimestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private sealed class GuidHandler : SqlMapper.TypeHandler<Guid>
    {
        public override void SetValue(IDbDataParameter parameter, Guid value)
        {
            if (IsSqlite(parameter)) { parameter.DbType = DbType.String; parameter.Value = value.ToString("D"); }
            else parameter.Value = value;
        }

        public override Guid Parse(object value) => value switch
        {
            Guid g => g,
            string s => Guid.Parse(s),
            byte[] b => new Guid(b),
            _ => throw new DataException($"Cannot convert {value.GetType()} to Guid"),
        };
    }

    /// <summary>pgvector values pass through to Npgsql, which knows the type once UseVector() is configured.</summary>
    private sealed class VectorHandler : SqlMapper.TypeHandler<Pgvector.Vector>
    {
        public override void SetValue(IDbDataParameter parameter, Pgvector.Vector? value) => parameter.Value = (object?)value ?? DBNull.Value;

        public override Pgvector.Vector Parse(object value) => value switch
        {
            Pgvector.Vector v => v,
            float[] f => new Pgvector.Vector(f),
            _ => throw new DataException($"Cannot convert {value.GetType()} to vector"),
        };
    }

    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            if (IsSqlite(parameter)) { parameter.DbType = DbType.String; parameter.Value = FormatTimestamp(value); }
            else { parameter.DbType = DbType.DateTimeOffset; parameter.Value = value.ToUniversalTime(); }
        }

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTimeOffset d => d.ToUniversalTime(),
            DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
            _ => throw new DataException($"Cannot convert {value.GetType()} to DateTimeOffset"),
        };
    }
}
