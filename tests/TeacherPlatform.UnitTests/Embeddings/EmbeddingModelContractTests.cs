using System.Numerics.Tensors;
using Microsoft.AspNetCore.Http;
using TeacherPlatform.Ai.Embeddings;

namespace TeacherPlatform.UnitTests.Embeddings;

/// <summary>
/// What every <see cref="IEmbeddingModel"/> must do, whatever runs it: one unit vector of the model's dimension per
/// text, in the order given, the same whether texts travel in one batch or several; queries likewise; token counts
/// that grow with the text. Subclasses provide the model (remote ones against a fake server) with a small batch size.
/// </summary>
public abstract class EmbeddingModelContractTests : IAsyncLifetime
{
    /// <summary>Small enough that <see cref="Passages"/> needs several batches.</summary>
    protected const int BatchSize = 2;

    private static readonly string[] Passages =
    [
        "Scales build evenness across the keyboard.",
        "Play slowly with a metronome before speeding up.",
        "A loose wrist keeps staccato light.",
        "Pedal changes follow the harmony, not the beat.",
        "Practise hands separately first.",
    ];

    private IEmbeddingModel? _model;
    protected IEmbeddingModel Model => _model ?? throw new InvalidOperationException("Not initialised.");

    protected abstract Task<IEmbeddingModel> CreateAsync();

    protected virtual Task DisposeModelAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => _model = await CreateAsync();

    public Task DisposeAsync() => DisposeModelAsync();

    [Fact]
    public async Task Passages_get_one_unit_vector_each_in_order_whatever_the_batching()
    {
        var together = await Model.EmbedPassagesAsync(Passages);

        Assert.Equal(Passages.Length, together.Count);
        Assert.All(together, v => Assert.Equal(Model.Dimensions, v.Length));
        Assert.All(together, v => Assert.Equal(1f, TensorPrimitives.Norm(v), 3));
        for (var i = 0; i < Passages.Length; i++)
        {
            var alone = Assert.Single(await Model.EmbedPassagesAsync([Passages[i]]));
            Assert.True(TensorPrimitives.CosineSimilarity(alone, together[i]) > 0.999f, $"passage {i} differs when batched");
        }
    }

    [Fact]
    public async Task No_passages_give_no_vectors()
    {
        Assert.Empty(await Model.EmbedPassagesAsync([]));
    }

    [Fact]
    public async Task Queries_are_deterministic_unit_vectors_of_the_model_dimension()
    {
        var first = await Model.EmbedQueryAsync("How should I practise scales?");
        var again = await Model.EmbedQueryAsync("How should I practise scales?");
        var other = await Model.EmbedQueryAsync("When do I change the pedal?");

        Assert.Equal(Model.Dimensions, first.Length);
        Assert.Equal(1f, TensorPrimitives.Norm(first), 3);
        Assert.Equal(first, again);
        Assert.True(TensorPrimitives.CosineSimilarity(first, other) < 0.999f);
    }

    [Fact]
    public void Token_counts_grow_with_the_text_and_fit_the_model_input()
    {
        var shortText = Model.CountTokens("Scales");
        var longText = Model.CountTokens(string.Join(' ', Passages));
        Assert.True(shortText >= 1);
        Assert.True(longText > shortText);
        Assert.True(Model.MaxTokens > 2);
        Assert.False(string.IsNullOrWhiteSpace(Model.ModelId));
    }
}

/// <summary>The contract on the bundled ONNX model (loaded once per test class).</summary>
[Collection(CpuHeavyCollection.Name)]
public sealed class LocalEmbeddingModelContractTests : EmbeddingModelContractTests
{
    private LocalArcticEmbeddingModel? _local;

    protected override Task<IEmbeddingModel> CreateAsync() =>
        Task.FromResult<IEmbeddingModel>(_local = new LocalArcticEmbeddingModel(new LocalEmbeddingOptions(IntraOpThreads: 2, BatchSize: BatchSize)));

    protected override Task DisposeModelAsync()
    {
        _local?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Shared by the remote models: a fake server whose vectors (unnormalised) encode the text.</summary>
public abstract class RemoteEmbeddingModelContractTests : EmbeddingModelContractTests
{
    private LocalHttpServer? _server;
    private readonly HttpClient _http = new();

    protected const int Dims = 64;

    protected static float[] FakeVector(string text)
    {
        var v = new float[Dims];
        var h = (uint)StringComparer.Ordinal.GetHashCode(text);
        v[0] = 3;
        v[1 + (int)(h % (Dims - 1))] = 4;
        v[1 + (int)(h / (Dims - 1) % (Dims - 1))] += 2;
        return v;
    }

    protected abstract IResult Answer(RecordedRequest request);

    protected abstract IEmbeddingModel Create(HttpClient http, Uri server);

    protected override async Task<IEmbeddingModel> CreateAsync()
    {
        _server = await LocalHttpServer.StartAsync(Answer);
        return Create(_http, _server.BaseAddress);
    }

    protected override async Task DisposeModelAsync()
    {
        _http.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }

    protected static string[] Texts(RecordedRequest request, string property) =>
        request.Body![property]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
}

public sealed class WorkersAiEmbeddingModelContractTests : RemoteEmbeddingModelContractTests
{
    protected override IResult Answer(RecordedRequest request)
    {
        var texts = Texts(request, "text");
        return Results.Json(new { result = new { shape = new[] { texts.Length, Dims }, data = texts.Select(FakeVector).ToArray() }, success = true });
    }

    protected override IEmbeddingModel Create(HttpClient http, Uri server) => new WorkersAiEmbeddingModel(http, new WorkersAiEmbeddingOptions
    {
        AccountId = "acc", ApiToken = "token", BaseUrl = new Uri(server, "/client/v4").ToString(), Dimensions = Dims, BatchSize = BatchSize,
    });
}

public sealed class OpenAiCompatibleEmbeddingModelContractTests : RemoteEmbeddingModelContractTests
{
    // Reversed: "index", not position, says which text a vector belongs to.
    protected override IResult Answer(RecordedRequest request) => Results.Json(new
    {
        data = Texts(request, "input").Select((t, i) => new { embedding = FakeVector(t), index = i }).Reverse().ToArray(),
    });

    protected override IEmbeddingModel Create(HttpClient http, Uri server) => new OpenAiCompatibleEmbeddingModel(http, new OpenAiEmbeddingOptions
    {
        Endpoint = server.ToString(), Model = "fake-embed", Dimensions = Dims, BatchSize = BatchSize, QueryPrefix = "query: ",
    });
}
