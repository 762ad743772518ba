using System.Net;
using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TeacherPlatform.Ai.Embeddings;

namespace TeacherPlatform.UnitTests.Embeddings;

public sealed class RemoteEmbeddingModelTests
{
    private const string WorkersAiPath = "/client/v4/accounts/acc-123/ai/run/@cf/baai/bge-base-en-v1.5";

    /// <summary>An unnormalised vector whose direction encodes the text, so tests can check order and normalisation.</summary>
    private static float[] FakeVector(string text, int dims)
    {
        var v = new float[dims];
        v[0] = 3;
        v[1 + Math.Abs(StringComparer.Ordinal.GetHashCode(text)) % (dims - 1)] = 4;
        return v;
    }

    private static string[] Texts(RecordedRequest request, string property) =>
        request.Body![property]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();

    private static IResult WorkersAiAnswer(RecordedRequest request)
    {
        var texts = Texts(request, "text");
        return Results.Json(new
        {
            result = new { shape = new[] { texts.Length, 768 }, data = texts.Select(t => FakeVector(t, 768)).ToArray() },
            success = true,
            errors = Array.Empty<object>(),
            messages = Array.Empty<object>(),
        });
    }

    private static IResult OpenAiAnswer(RecordedRequest request)
    {
        var texts = Texts(request, "input");
        // Reversed on purpose: "index", not position, says which input an embedding belongs to.
        return Results.Json(new
        {
            @object = "list",
            data = texts.Select((t, i) => new { @object = "embedding", embedding = FakeVector(t, 256), index = i }).Reverse().ToArray(),
            model = request.Body!["model"]!.GetValue<string>(),
            usage = new { prompt_tokens = 5, total_tokens = 5 },
        });
    }

    [Fact]
    public async Task Workers_ai_posts_text_batches_of_100_with_bearer_token_and_normalises_results()
    {
        await using var server = await LocalHttpServer.StartAsync(WorkersAiAnswer);
        using var http = new HttpClient();
        var model = new WorkersAiEmbeddingModel(http, new WorkersAiEmbeddingOptions
        {
            AccountId = "acc-123",
            ApiToken = "secret-token",
            BaseUrl = new Uri(server.BaseAddress, "/client/v4").ToString(),
        });
        var passages = Enumerable.Range(0, 150).Select(i => $"passage {i}").ToArray();

        var vectors = await model.EmbedPassagesAsync(passages);

        Assert.Equal(768, model.Dimensions);
        Assert.Equal(150, vectors.Count);
        Assert.All(vectors, v => Assert.Equal(1f, TensorPrimitives.Norm(v), 5));
        Assert.Equal(FakeDirection(passages[120], 768), vectors[120]);
        var requests = server.Requests.ToArray();
        Assert.Equal([100, 50], requests.Select(r => Texts(r, "text").Length));
        Assert.All(requests, r =>
        {
            Assert.Equal(WorkersAiPath, r.Path);
            Assert.Equal("Bearer secret-token", r.Authorization);
        });
        Assert.Equal(passages, requests.SelectMany(r => Texts(r, "text")));
    }

    [Fact]
    public async Task Workers_ai_failure_becomes_an_embedding_service_exception()
    {
        await using var server = await LocalHttpServer.StartAsync(_ => Results.Json(
            new { result = (object?)null, success = false, errors = new[] { new { code = 10000, message = "Authentication error" } }, messages = Array.Empty<object>() },
            statusCode: 401));
        using var http = new HttpClient();
        var model = new WorkersAiEmbeddingModel(http, new WorkersAiEmbeddingOptions
        {
            AccountId = "acc-123", ApiToken = "wrong", BaseUrl = server.BaseAddress.ToString(),
        });

        var ex = await Assert.ThrowsAsync<EmbeddingServiceException>(() => model.EmbedQueryAsync("scales").AsTask());
        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Contains("Authentication error", ex.Message);
    }

    [Fact]
    public async Task Openai_compatible_posts_model_and_input_and_orders_by_index()
    {
        await using var server = await LocalHttpServer.StartAsync(OpenAiAnswer);
        using var http = new HttpClient();
        var model = new OpenAiCompatibleEmbeddingModel(http, new OpenAiEmbeddingOptions
        {
            Endpoint = server.BaseAddress.ToString(), Model = "nomic-embed-text", Dimensions = 256, ApiKey = "sk-local",
        });

        var vectors = await model.EmbedPassagesAsync(["alpha", "beta", "gamma"]);

        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/embeddings", request.Path);
        Assert.Equal("Bearer sk-local", request.Authorization);
        Assert.Equal("nomic-embed-text", request.Body!["model"]!.GetValue<string>());
        Assert.Equal(["alpha", "beta", "gamma"], Texts(request, "input"));
        Assert.Equal(FakeDirection("alpha", 256), vectors[0]);
        Assert.Equal(FakeDirection("gamma", 256), vectors[2]);
    }

    [Fact]
    public async Task Openai_compatible_sends_no_auth_header_without_a_key_and_rejects_wrong_dimensions()
    {
        await using var server = await LocalHttpServer.StartAsync(OpenAiAnswer);
        using var http = new HttpClient();
        var model = new OpenAiCompatibleEmbeddingModel(http, new OpenAiEmbeddingOptions
        {
            Endpoint = server.BaseAddress.ToString(), Model = "m", Dimensions = 384,
        });

        var ex = await Assert.ThrowsAsync<EmbeddingServiceException>(() => model.EmbedQueryAsync("q").AsTask());
        Assert.Contains("256 dimensions", ex.Message);
        Assert.Null(Assert.Single(server.Requests).Authorization);
    }

    [Fact]
    public async Task AddEmbeddings_wires_workers_ai_and_the_generator_embeds_queries_with_the_prefix()
    {
        await using var server = await LocalHttpServer.StartAsync(WorkersAiAnswer);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Embeddings:Provider"] = "workersai",
            ["Embeddings:WorkersAi:AccountId"] = "acc-123",
            ["Embeddings:WorkersAi:ApiToken"] = "secret-token",
            ["Embeddings:WorkersAi:BaseUrl"] = new Uri(server.BaseAddress, "/client/v4").ToString(),
        }).Build();
        await using var services = new ServiceCollection().AddEmbeddings(configuration).BuildServiceProvider();

        var generator = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        Assert.Same(services.GetRequiredService<IEmbeddingModel>(), services.GetRequiredService<IEmbeddingModel>());
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.Equal("@cf/baai/bge-base-en-v1.5", metadata.DefaultModelId);
        Assert.Equal(768, metadata.DefaultModelDimensions);

        var queryOptions = new EmbeddingGenerationOptions
        {
            AdditionalProperties = new() { [EmbeddingModelGenerator.InputTypeKey] = EmbeddingModelGenerator.QueryInputType },
        };
        var query = await generator.GenerateAsync(["finger independence"], queryOptions);
        var passages = await generator.GenerateAsync(["p1", "p2"]);

        Assert.Equal(768, query[0].Vector.Length);
        Assert.Equal(2, passages.Count);
        var requests = server.Requests.ToArray();
        Assert.Equal([WorkersAiEmbeddingOptions.DefaultQueryPrefix + "finger independence"], Texts(requests[0], "text"));
        Assert.Equal(["p1", "p2"], Texts(requests[1], "text"));
    }

    [Fact]
    public void AddEmbeddings_defaults_to_the_local_model()
    {
        var configuration = new ConfigurationBuilder().Build();
        using var services = new ServiceCollection().AddEmbeddings(configuration).BuildServiceProvider();
        var model = services.GetRequiredService<IEmbeddingModel>();
        Assert.IsType<LocalArcticEmbeddingModel>(model);
        Assert.Equal(384, model.Dimensions);
    }

    private static float[] FakeDirection(string text, int dims)
    {
        var v = FakeVector(text, dims);
        TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
        return v;
    }
}
