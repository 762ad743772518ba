using System.Text;
using Microsoft.Data.Sqlite;
using TeacherPlatform.Ai.Retrieval;

namespace TeacherPlatform.UnitTests.Retrieval;

/// <summary>
/// <see cref="KeywordAnalyzer"/> must produce exactly the tokens of the SQLite FTS5 table the embedded index uses
/// (tokenize='porter unicode61 remove_diacritics 2'): PostgreSQL indexes its output, so any difference would rank the
/// two providers apart. Checked against the SQLite bundled with the app, token by token, on the real books of both
/// eval datasets and on every Latin letter.
/// </summary>
public sealed class KeywordAnalyzerTests
{
    [Theory]
    [InlineData("Fingers", "finger")]
    [InlineData("gently", "gentli")] // Snowball (PostgreSQL 'english') gives "gentl"
    [InlineData("gentle", "gentl")]
    [InlineData("generalization", "gener")]
    [InlineData("possibly", "possibl")] // departure 'bli' → 'ble'
    [InlineData("analogies", "analog")] // departure 'logi' → 'log'
    [InlineData("Étude", "etud")]
    [InlineData("naïve", "naiv")]
    [InlineData("over", "over")] // a stop word for PostgreSQL 'english'; kept here as in FTS5
    public void Stems_words_as_fts5_porter_does(string word, string expected) => Assert.Equal(expected, KeywordAnalyzer.Term(word));

    [Fact]
    public void Splits_on_what_unicode61_separates_and_folds_combining_diacritics()
    {
        Assert.Equal(["don", "t", "teacher", "s", "cafex", "a", "b", "3rd", "x²"], KeywordAnalyzer.Tokens("don't teacher's cafe\u0301x a_b 3rd x²"));
        Assert.Empty(KeywordAnalyzer.Tokens(" -- \u0301 !"));
    }

    public static TheoryData<string> Books() => new()
    {
        "evals/datasets/gutenberg/sources/g01-tapper.txt",
        "evals/datasets/gutenberg/sources/g02-shedlock.txt",
        "evals/datasets/gutenberg/sources/questions.txt",
        "evals/datasets/pedagogy/sources/d01-technique-foundations.md",
    };

    [Theory]
    [MemberData(nameof(Books))]
    public void Gives_the_tokens_of_sqlite_fts5_on_real_text(string relativePath)
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot(), relativePath));
        var lines = text.Split('\n');
        var expected = Fts5Tokens(lines);
        for (var i = 0; i < lines.Length; i++)
            Assert.True(expected[i].SequenceEqual(KeywordAnalyzer.Tokens(lines[i])),
                $"line {i + 1}: FTS5 [{string.Join(' ', expected[i])}] analyser [{string.Join(' ', KeywordAnalyzer.Tokens(lines[i]))}]");
    }

    [Fact]
    public void Folds_every_latin_letter_as_fts5_does()
    {
        // Latin-1 Supplement to Latin Extended-B, IPA and Latin Extended Additional, each between two ASCII letters.
        var letters = Enumerable.Range(0xC0, 0x2B0 - 0xC0).Concat(Enumerable.Range(0x1E00, 0x100))
            .Select(c => $"q{(char)c}z").ToArray();
        var expected = Fts5Tokens(letters);
        var wrong = letters.Where((l, i) => !expected[i].SequenceEqual(KeywordAnalyzer.Tokens(l)))
            .Select(l => $"U+{(int)l[1]:X4} {string.Join(' ', KeywordAnalyzer.Tokens(l))}").ToList();
        Assert.True(wrong.Count == 0, $"differ from FTS5: {string.Join(", ", wrong)}");
    }

    /// <summary>The tokens FTS5 stores for each line, in order, read back through an fts5vocab 'instance' table.</summary>
    private static List<string>[] Fts5Tokens(IReadOnlyList<string> lines)
    {
        using var c = new SqliteConnection("Data Source=:memory:");
        c.Open();
        Exec(c, "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61 remove_diacritics 2')");
        Exec(c, "CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')");
        using (var tx = c.BeginTransaction())
        {
            using var insert = c.CreateCommand();
            insert.CommandText = "INSERT INTO t (rowid, x) VALUES ($id, $x)";
            var id = insert.Parameters.Add("$id", SqliteType.Integer);
            var x = insert.Parameters.Add("$x", SqliteType.Text);
            for (var i = 0; i < lines.Count; i++) { id.Value = i + 1; x.Value = lines[i]; insert.ExecuteNonQuery(); }
            tx.Commit();
        }
        var result = Enumerable.Range(0, lines.Count).Select(_ => new List<(long, string)>()).ToArray();
        using (var q = c.CreateCommand())
        {
            q.CommandText = "SELECT doc, offset, term FROM v";
            using var r = q.ExecuteReader();
            while (r.Read()) result[r.GetInt64(0) - 1].Add((r.GetInt64(1), r.GetString(2)));
        }
        return result.Select(l => l.OrderBy(t => t.Item1).Select(t => t.Item2).ToList()).ToArray();
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TeacherPlatform.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("TeacherPlatform.sln not found above the test binaries.");
    }
}
