using System.Text.Json.Nodes;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Operations;

/// <summary>
/// The OpenAPI document describes each operation exactly: a name (operationId), a summary and a tag, and the error
/// responses its route declares — all in the one problem shape — rather than a generic set guessed for every operation.
/// </summary>
public sealed class OpenApiErrorResponsesTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private async Task<JsonObject> DocumentAsync() => await (await factory.CreateClient().GetAsync("/openapi/v1.json")).ReadJsonAsync();

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonObject doc) =>
        doc["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => (p.Key, o.Key, o.Value!.AsObject())));

    private static HashSet<string> Errors(JsonObject operation) =>
        operation["responses"]!.AsObject().Select(r => r.Key).Where(s => s[0] is '4' or '5').ToHashSet();

    [Fact]
    public async Task Every_operation_has_a_name_a_summary_a_tag_and_problem_shaped_errors()
    {
        var failures = new List<string>();
        var names = new HashSet<string>();
        foreach (var (path, method, operation) in Operations(await DocumentAsync()))
        {
            var id = operation["operationId"]?.GetValue<string>();
            if (string.IsNullOrEmpty(id) || !names.Add(id)) failures.Add($"{method} {path}: operationId '{id}' missing or repeated");
            if (string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>())) failures.Add($"{method} {path}: no summary");
            if (operation["tags"] is not JsonArray { Count: > 0 }) failures.Add($"{method} {path}: no tag");
            foreach (var (status, response) in operation["responses"]!.AsObject().Where(r => r.Key[0] is '4' or '5'))
            {
                var schema = response!["content"]?["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>();
                if (schema != "#/components/schemas/Problem") failures.Add($"{method} {path} {status}: not the Problem schema");
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Theory]
    [InlineData("/api/projects", "post", new[] { "400", "401", "403", "429" })]
    [InlineData("/api/projects/{id}", "get", new[] { "401", "404", "429" })]
    [InlineData("/api/projects/{id}/stream", "get", new[] { "401", "404", "409", "416", "429" })]
    [InlineData("/api/relationships/{id}/accept", "post", new[] { "401", "404", "429" })]
    [InlineData("/api/knowledge/{id}/process", "post", new[] { "401", "403", "404", "409", "429" })]
    [InlineData("/api/chat/query", "post", new[] { "400", "401", "404", "429", "502", "504" })]
    [InlineData("/api/auth/login", "post", new[] { "400", "401", "429" })]
    [InlineData("/api/storage/{key}", "get", new[] { "400", "403", "404", "416", "429" })]
    public async Task Operations_document_exactly_the_errors_their_routes_can_answer(string path, string method, string[] expected)
    {
        var operation = (await DocumentAsync())["paths"]![path]![method]!.AsObject();
        Assert.Equal(expected.Order(), Errors(operation).Order());
    }
}
