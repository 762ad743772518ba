using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Knowledge;

/// <summary>/api/search hybrid scores are the configured fusion of the vector and keyword lists the same API returns.</summary>
public sealed class HybridFusionTests
{
    private static readonly string[] Passages =
    [
        "Finger independence: lift each finger from the key while the others rest, slowly, listening for an even tone.",
        "Pedalling: change the sustain pedal just after the new harmony sounds so the old one does not blur into it.",
        "Scales: practise the scale of the day hands separately with a metronome, then hands together at a slow tempo.",
        "Sight-reading: read a new short piece every day at a tempo that never stops, looking ahead to the next bar.",
        "Tone production: let the weight of the arm fall into the key; a relaxed wrist gives a round, singing tone.",
    ];

    private const string Question = "How should I practise finger independence so every finger gives an even tone?";

    private static async Task<TestUser> CorpusAsync(ApiFactory factory)
    {
        var teacher = await factory.RegisterAsync("teacher");
        for (var i = 0; i < Passages.Length; i++)
            await factory.IngestAsync(teacher, $"Lesson note {i + 1}", "text", $"note{i + 1}.txt", Encoding.UTF8.GetBytes(Passages[i]), "text/plain", isPublic: true);
        return await factory.RegisterAsync("student");
    }

    private static Dictionary<string, double> Scores(JsonArray results) =>
        results.ToDictionary(r => r!["chunk_id"]!.GetValue<string>(), r => r!["score"]!.GetValue<double>());

    private static Dictionary<string, double> Normalised(JsonArray results)
    {
        var scores = Scores(results);
        var (min, max) = (scores.Values.Min(), scores.Values.Max());
        return scores.ToDictionary(s => s.Key, s => max > min ? (s.Value - min) / (max - min) : 1.0);
    }

    [Fact]
    public async Task Hybrid_scores_are_the_relative_score_fusion_of_the_vector_and_keyword_lists()
    {
        await using var factory = new ApiFactory();
        var student = await CorpusAsync(factory);

        var vector = Normalised(await student.SearchAsync(Question, "vector", 50));
        var keyword = Normalised(await student.SearchAsync(Question, "keyword", 50));
        var hybrid = await student.SearchAsync(Question, "hybrid", 50);

        Assert.Equal(Passages.Length, vector.Count);
        Assert.InRange(keyword.Count, 2, Passages.Length - 1); // not every note shares a word with the question
        Assert.Equal(Passages.Length, hybrid.Count);
        foreach (var hit in hybrid)
        {
            var id = hit!["chunk_id"]!.GetValue<string>();
            var expected = 0.35 * vector[id] + 0.65 * keyword.GetValueOrDefault(id);
            Assert.Equal(expected, hit["score"]!.GetValue<double>(), 9);
        }
        var scores = hybrid.Select(h => h!["score"]!.GetValue<double>()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.Contains("Finger independence", hybrid[0]!["snippet"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1.0, scores[0], 9); // first in both lists
    }

    [Fact]
    public async Task Rank_fusion_stays_available_by_setting()
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?> { ["Search:Fusion"] = "Rrf" });
        var student = await CorpusAsync(factory);

        var hybrid = await student.SearchAsync(Question, "hybrid", 50);

        foreach (var hit in hybrid)
        {
            var v = hit!["vector_rank"]?.GetValue<int>();
            var k = hit["keyword_rank"]?.GetValue<int>();
            var expected = (v is { } vr ? 1.0 / (40 + vr) : 0) + (k is { } kr ? 1.0 / (40 + kr) : 0);
            Assert.Equal(expected, hit["score"]!.GetValue<double>(), 12);
        }
    }

    [Theory]
    [InlineData("Search:RelativeScoreKeywordWeight", "1.5", "Search:RelativeScoreKeywordWeight is 1.5")]
    [InlineData("Search:Fusion", "7", "Search:Fusion is 7")]
    [InlineData("Search:CandidatesPerList", "0", "Search:CandidatesPerList is 0")]
    [InlineData("Search:KeywordSourceWeight", "-1", "Search:KeywordSourceWeight is -1")]
    public async Task An_impossible_fusion_setting_stops_start_up_with_the_reason(string key, string value, string reason)
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => factory.Services);
        Assert.Contains(error.Failures, f => f.Contains(reason, StringComparison.Ordinal));
    }
}
