using System.Numerics.Tensors;
using TeacherPlatform.Ai.Embeddings;
using Xunit.Abstractions;

namespace TeacherPlatform.UnitTests.Embeddings;

/// <summary>Loads the 90 MB model once for all tests in the class, fp32 for queries too (the batching and prefix tests compare
/// query vectors with passage vectors to the fourth decimal).</summary>
public sealed class ArcticModelFixture : IDisposable
{
    public LocalArcticEmbeddingModel Model { get; } = new(new LocalEmbeddingOptions(IntraOpThreads: 2, QueryPrecision: EmbeddingPrecision.Fp32));
    public void Dispose() => Model.Dispose();
}

[Collection(CpuHeavyCollection.Name)]
public sealed class LocalArcticEmbeddingModelTests(ArcticModelFixture fixture, ITestOutputHelper output)
    : IClassFixture<ArcticModelFixture>
{
    private LocalArcticEmbeddingModel Model => fixture.Model;

    [Fact]
    public async Task Vectors_are_384_dimensional_unit_length_and_deterministic()
    {
        var first = await Model.EmbedQueryAsync("How should I practise scales?");
        var second = await Model.EmbedQueryAsync("How should I practise scales?");
        var passages = await Model.EmbedPassagesAsync(["Scales build evenness.", "Play slowly with a metronome."]);

        Assert.Equal("snowflake-arctic-embed-xs", Model.ModelId);
        Assert.Equal(384, Model.Dimensions);
        Assert.Equal(384, first.Length);
        Assert.Equal(1f, TensorPrimitives.Norm(first), 3);
        Assert.All(passages, p => Assert.Equal(1f, TensorPrimitives.Norm(p), 3));
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task A_finger_independence_query_ranks_finger_exercises_above_pedalling()
    {
        var query = await Model.EmbedQueryAsync("How do I improve finger independence?");
        var passages = await Model.EmbedPassagesAsync(
        [
            "Use the sustain pedal sparingly: change it with each harmony so the sound does not blur.",
            "Independent finger exercises: hold down a five-finger position and lift each finger in turn, slowly and evenly, keeping the others relaxed.",
        ]);
        var pedalling = TensorPrimitives.Dot(query, passages[0]);
        var fingers = TensorPrimitives.Dot(query, passages[1]);
        output.WriteLine($"fingers {fingers:F3} vs pedalling {pedalling:F3}");
        Assert.True(fingers > pedalling + 0.05f, $"fingers {fingers:F3} vs pedalling {pedalling:F3}");
    }

    [Fact]
    public async Task Query_prefix_is_applied_to_queries_only()
    {
        const string text = "legato fingering for chromatic scales";
        var query = await Model.EmbedQueryAsync(text);
        var passage = (await Model.EmbedPassagesAsync([text]))[0];
        var prefixedPassage = (await Model.EmbedPassagesAsync([LocalArcticEmbeddingModel.QueryPrefix + text]))[0];
        Assert.NotEqual(query, passage);
        Assert.Equal(1f, TensorPrimitives.Dot(query, prefixedPassage), 4);
    }

    [Fact]
    public async Task Padding_in_a_batch_does_not_change_a_passage_vector()
    {
        const string shortText = "Relax the wrist.";
        var alone = (await Model.EmbedPassagesAsync([shortText]))[0];
        var batched = await Model.EmbedPassagesAsync(
            [string.Join(' ', Enumerable.Repeat("Voicing chords means balancing the top note against the rest.", 10)), shortText]);
        Assert.Equal(1f, TensorPrimitives.Dot(alone, batched[1]), 4);
    }

    [Fact]
    public async Task A_token_budget_splits_batches_without_changing_or_reordering_any_vector()
    {
        // Long and short passages interleaved: with a 512-token budget each full-length passage is a batch of its own and
        // the short ones share batches; every vector must still come back in its passage's place, unchanged.
        string[] passages =
        [
            string.Join(' ', Enumerable.Repeat("Arpeggios across four octaves need a supple thumb.", 80)),
            "Relax the wrist.",
            string.Join(' ', Enumerable.Repeat("Voicing chords means balancing the top note against the rest.", 12)),
            "Count aloud.",
            string.Join(' ', Enumerable.Repeat("Pedal after the beat so the harmony changes cleanly.", 60)),
            "Practise hands separately, then together, at half speed.",
        ];
        using var budgeted = new LocalArcticEmbeddingModel(new LocalEmbeddingOptions(IntraOpThreads: 2, MaxBatchTokens: 512));

        var expected = await Model.EmbedPassagesAsync(passages);
        var actual = await budgeted.EmbedPassagesAsync(passages);

        Assert.Equal(passages.Length, actual.Count);
        for (var i = 0; i < passages.Length; i++) Assert.Equal(1f, TensorPrimitives.Dot(expected[i], actual[i]), 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalArcticEmbeddingModel(new LocalEmbeddingOptions(MaxBatchTokens: 100)));
    }

    [Fact]
    public async Task Inputs_longer_than_512_tokens_are_truncated_without_error()
    {
        var longText = string.Join(' ', Enumerable.Repeat("Arpeggios across four octaves need a supple thumb.", 120));
        Assert.True(Model.CountTokens(longText) > 512);
        var vector = (await Model.EmbedPassagesAsync([longText]))[0];
        Assert.Equal(1f, TensorPrimitives.Norm(vector), 3);
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Model.EmbedPassagesAsync(["a", "b"], cts.Token));
    }

    [Fact]
    public async Task Concurrent_queries_are_batched_and_each_gets_its_own_vector()
    {
        var questions = Enumerable.Range(0, 40).Select(i => $"Question {i}: how do I practise scale number {i} with a metronome?").ToList();
        var sequential = new List<float[]>();
        foreach (var q in questions) sequential.Add(await fixture.Model.EmbedQueryAsync(q));
        var concurrent = await Task.WhenAll(questions.Select(q => fixture.Model.EmbedQueryAsync(q).AsTask()));
        for (var i = 0; i < questions.Count; i++)
        {
            var cosine = sequential[i].Zip(concurrent[i], (a, b) => (double)a * b).Sum();
            Assert.True(cosine > 0.9999, $"query {i}: cosine {cosine} between batched and single embedding");
        }
        // Different questions really got different vectors (no mix-up inside a batch).
        var cross = sequential[0].Zip(concurrent[1], (a, b) => (double)a * b).Sum();
        Assert.True(cross < 0.9999);
    }

    [Fact]
    public async Task A_cancelled_query_is_cancelled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await fixture.Model.EmbedQueryAsync("finger independence", cts.Token));
    }
}
