using System.Text.Json;
using TeacherPlatform.Evals.Commands;

namespace TeacherPlatform.Evals.Tests;

/// <summary>
/// `load` + `retrieval` + `answers` on the tiny dataset against the real API in-process, checking the result files'
/// JSON shape (the contract `report` and external tools read).
/// </summary>
public sealed class SmokeTests : IAsyncLifetime
{
    private readonly EvalsApiFactory _factory = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private CommandArgs Args(params string[] extra) => new(new[] { "--dataset", EvalsApiFactory.Tiny }.Concat(extra));

    private static JsonElement LatestResult(string dir, string command)
    {
        var file = Directory.GetFiles(dir, $"{command}-*.json").OrderBy(f => f).Last();
        return JsonDocument.Parse(File.ReadAllText(file)).RootElement;
    }

    private static void AssertEnvelope(JsonElement root, string command)
    {
        Assert.Equal(command, root.GetProperty("command").GetString());
        Assert.True(root.GetProperty("timestamp").TryGetDateTimeOffset(out _));
        var machine = root.GetProperty("machine");
        Assert.True(machine.GetProperty("cores").GetInt32() >= 1);
        Assert.True(machine.GetProperty("memory_bytes").GetInt64() > 0);
        Assert.False(string.IsNullOrEmpty(machine.GetProperty("os").GetString()));
        Assert.True(machine.TryGetProperty("cpu_model", out _));
        Assert.True(root.GetProperty("git").ValueKind == JsonValueKind.Object);
        Assert.True(root.GetProperty("configuration").ValueKind == JsonValueKind.Object);
        Assert.Equal("tiny", root.GetProperty("corpus").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("notes").ValueKind);
    }

    [Fact]
    public async Task Load_and_retrieval_on_the_tiny_dataset_write_results_in_the_documented_shape()
    {
        var env = _factory.Env();
        var (load, _) = await LoadCommand.RunAsync(env, Args("--ingest-timeout", "300"), CancellationToken.None);
        Assert.Equal(3, load.Documents);
        Assert.Equal(3, load.Completed);

        var retrieval = await RetrievalCommand.RunAsync(env, Args(), CancellationToken.None);
        Assert.Equal(["vector", "keyword", "hybrid"], retrieval.Modes.Select(m => m.Mode).ToArray());

        var root = LatestResult(_factory.ResultsDirectory, "retrieval");
        AssertEnvelope(root, "retrieval");
        var results = root.GetProperty("results");
        Assert.Equal(10, results.GetProperty("top_k").GetInt32());
        foreach (var mode in results.GetProperty("modes").EnumerateArray())
        {
            Assert.Equal(6, mode.GetProperty("questions").GetInt32()); // 8 questions − 2 uncovered
            foreach (var level in new[] { "page", "document" })
                foreach (var metric in new[] { "recall_at1", "recall_at5", "recall_at10", "mrr_at10", "ndcg_at10" })
                    Assert.InRange(mode.GetProperty(level).GetProperty(metric).GetDouble(), 0, 1);
            Assert.Equal(0, mode.GetProperty("errors").GetInt32());
            Assert.Equal(JsonValueKind.Array, mode.GetProperty("misses").ValueKind);
            Assert.True(mode.GetProperty("latency_ms").GetProperty("p95").GetDouble() > 0);
        }
        var hybrid = retrieval.Modes.Single(m => m.Mode == "hybrid");
        Assert.True(hybrid.Document.RecallAt10 > 0, "hybrid search found none of the tiny dataset's relevant documents");
        Assert.True(File.Exists(Path.Combine(_factory.ResultsDirectory, "REPORT.md")));
    }

    [Fact]
    [Trait("needs", "rag")]
    public async Task Answers_on_the_tiny_dataset_write_results_in_the_documented_shape()
    {
        var env = _factory.Env();
        await LoadCommand.RunAsync(env, Args("--ingest-timeout", "300"), CancellationToken.None);
        var answers = await AnswersCommand.RunAsync(env, Args(), CancellationToken.None);
        Assert.Equal(8, answers.Questions);
        Assert.Equal(0, answers.Errors);

        var root = LatestResult(_factory.ResultsDirectory, "answers");
        AssertEnvelope(root, "answers");
        var r = root.GetProperty("results");
        foreach (var p in new[] { "citation_precision", "citation_recall", "cites_relevant_page_rate", "token_f1", "token_recall" })
            Assert.InRange(r.GetProperty(p).GetDouble(), 0, 1);
        var confusion = r.GetProperty("confidence").GetProperty("low_vs_uncovered");
        Assert.Equal(8, confusion.GetProperty("true_positive").GetInt32() + confusion.GetProperty("false_positive").GetInt32()
                        + confusion.GetProperty("false_negative").GetInt32() + confusion.GetProperty("true_negative").GetInt32());
        Assert.Equal("not configured", r.GetProperty("judge").GetString());
        var rows = r.GetProperty("rows");
        Assert.Equal(8, rows.GetArrayLength());
        foreach (var row in rows.EnumerateArray())
        {
            Assert.Contains(row.GetProperty("confidence").GetString(), new[] { "HIGH", "MEDIUM", "LOW" });
            Assert.Equal(JsonValueKind.Array, row.GetProperty("cited").ValueKind);
        }
    }
}
