using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Security;

/// <summary>
/// Generated malformed bodies for every JSON endpoint the app maps (discovered from its endpoint metadata, so a new
/// endpoint is covered without touching this test): at least 10,000 requests in all, in-process. No answer may be a
/// 5xx, and every 4xx must be application/problem+json with a `code`.
/// </summary>
public sealed class MalformedBodyFuzzTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const int TotalRequests = 10_000;
    private const int Concurrency = 8;

    private sealed record Target(string Method, string Pattern, Type? RequestType);

    private static readonly string[] HostileDocuments =
    [
        "", " ", "null", "true", "0", "-1", "1e309", "\"text\"", "[]", "[{}]", "{", "}", "{\"", "{\"a\":", "{\"a\" 1}", "{'a':1}",
        "{\"a\":1,}", "{\"a\":1}{\"b\":2}", "{/* c */}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}",
        "{\"a\":\"\\ud800\"}", "{\"a\":\"\\u0000\"}", "{\"a\":\"\\x41\"}", "\uFEFF{}", "{\"a\":1,\"a\":2}", "\0", "{\"\":1}",
        new string('[', 5_000) + new string(']', 5_000), new string('{', 3_000), "{\"a\":" + new string('9', 5_000) + "}",
        "{\"a\":\"" + new string('x', 300_000) + "\"}", "[" + string.Join(",", Enumerable.Repeat("{}", 20_000)) + "]",
        "<xml/>", "a=1&b=2", "--boundary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--boundary--",
    ];

    private static readonly JsonNode?[] HostileValues =
    [
        null, JsonValue.Create(0), JsonValue.Create(-1), JsonValue.Create(int.MaxValue), JsonValue.Create(2147483648L), JsonValue.Create(-9223372036854775808L),
        JsonValue.Create(1.5), JsonValue.Create(1e300), JsonValue.Create(""), JsonValue.Create(" "), JsonValue.Create(new string('x', 10_000)),
        JsonValue.Create(true), new JsonArray(), new JsonObject(), new JsonArray(1, "a", null), JsonValue.Create("not-a-guid"),
        JsonValue.Create("00000000-0000-0000-0000-000000000000"), JsonValue.Create("2024-13-45T99:00:00Z"), JsonValue.Create("\u0000\u202e<script>"),
        JsonValue.Create("'; DROP TABLE users; --"), JsonValue.Create("%00../../etc/passwd"), JsonValue.Create("HIGH"), JsonValue.Create("admin"),
        JsonValue.Create("https://127.0.0.1/"), JsonValue.Create("file:///etc/passwd"), JsonValue.Create("a@b"), JsonValue.Create(Guid.NewGuid().ToString()),
        new JsonObject { ["rects"] = new JsonArray(new JsonObject { ["x"] = -1, ["y"] = 2, ["width"] = 1e308, ["height"] = "h" }) },
        new JsonObject { ["strokes"] = new JsonArray(new JsonObject { ["points"] = new JsonArray(new JsonArray(0.1)), ["width"] = -5 }) },
        new JsonObject { ["x"] = 0.5, ["y"] = 0.5, ["text"] = new JsonObject() },
    ];

    private IReadOnlyList<Target> DiscoverTargets()
    {
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var targets = new List<Target>();
        foreach (var endpoint in endpoints)
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            var accepts = endpoint.Metadata.GetMetadata<IAcceptsMetadata>();
            // Body-less POSTs (logout, accept, process) are fuzzed too: a body they ignore must not hurt them.
            if (pattern.StartsWith("/api/storage", StringComparison.Ordinal)
                || (accepts is not null && !accepts.ContentTypes.Any(t => t.Contains("json", StringComparison.OrdinalIgnoreCase))))
            {
                continue;
            }

            foreach (var method in methods.Where(m => m is "POST" or "PUT" or "PATCH"))
            {
                targets.Add(new Target(method, pattern, accepts?.RequestType));
            }
        }

        return targets;
    }

    private static string SnakeCase(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    /// <summary>A plausible value per property type, so that one hostile field at a time reaches deeper validation.</summary>
    private static JsonNode? Plausible(Type type, Guid realId) =>
        (Nullable.GetUnderlyingType(type) ?? type) switch
        {
            var t when t == typeof(string) => JsonValue.Create("Etude op. 10"),
            var t when t == typeof(Guid) => JsonValue.Create(realId),
            var t when t == typeof(int) || t == typeof(long) => JsonValue.Create(1),
            var t when t == typeof(double) || t == typeof(float) => JsonValue.Create(0.5),
            var t when t == typeof(bool) => JsonValue.Create(false),
            var t when t == typeof(JsonElement) || t == typeof(JsonNode) || t == typeof(JsonObject) => new JsonObject { ["x"] = 0.5, ["y"] = 0.5, ["text"] = "n" },
            var t when t.IsArray || (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)) => new JsonArray(),
            _ => null,
        };

    private static IEnumerable<string> BodiesFor(Target target, Guid realId, Random random)
    {
        foreach (var doc in HostileDocuments) yield return doc;

        var properties = target.RequestType?.GetProperties(BindingFlags.Public | BindingFlags.Instance) ?? [];
        var template = new JsonObject();
        foreach (var p in properties) template[SnakeCase(p.Name)] = Plausible(p.PropertyType, realId);
        var templateText = template.ToJsonString();

        while (true)
        {
            switch (random.Next(7))
            {
                case 0 or 1 when properties.Length > 0:
                {
                    // The template with one field replaced by a hostile value (or removed).
                    var body = (JsonObject)template.DeepClone();
                    var name = SnakeCase(properties[random.Next(properties.Length)].Name);
                    if (random.Next(8) == 0) body.Remove(name);
                    else body[name] = HostileValues[random.Next(HostileValues.Length)]?.DeepClone();
                    yield return body.ToJsonString();
                    break;
                }
                case 2:
                {
                    // Truncated at a random point.
                    yield return templateText[..random.Next(templateText.Length + 1)];
                    break;
                }
                case 3:
                {
                    // One character flipped to a random ASCII/control/non-ASCII character.
                    var chars = templateText.ToCharArray();
                    if (chars.Length > 0) chars[random.Next(chars.Length)] = (char)random.Next(0, 0x2FF);
                    yield return new string(chars);
                    break;
                }
                case 4:
                {
                    // Unknown and case-shifted keys alongside the template.
                    var body = (JsonObject)template.DeepClone();
                    body["is_admin"] = true;
                    body["owner_id"] = Guid.NewGuid().ToString();
                    body["role"] = "admin";
                    if (properties.Length > 0) body[properties[random.Next(properties.Length)].Name.ToUpperInvariant()] = "X";
                    yield return body.ToJsonString();
                    break;
                }
                case 5:
                {
                    // Lone surrogate escapes in the template's strings: valid JSON syntax, text that cannot be decoded.
                    yield return templateText.Replace("\"Etude op. 10\"", "\"\\ud800 op\"").Replace("\"text\":\"n\"", "\"text\":\"\\udc00\"");
                    break;
                }
                default:
                {
                    var bytes = new byte[random.Next(1, 64)];
                    random.NextBytes(bytes);
                    yield return Encoding.Latin1.GetString(bytes);
                    break;
                }
            }
        }
    }

    [Fact]
    public async Task Ten_thousand_malformed_bodies_give_no_5xx_and_only_problem_json_4xx()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var student = await factory.RegisterAsync("student");
        await teacher.LinkAsync(student);
        var project = await (await teacher.Client.PostJsonAsync("/api/projects", new { title = "Fuzz", filename = "f.pdf" })).ReadJsonAsync();
        var projectId = Guid.Parse(project["project"]!["id"]!.GetValue<string>());

        var targets = DiscoverTargets();
        Assert.True(targets.Count >= 17, $"only {targets.Count} JSON endpoints discovered: {string.Join(", ", targets.Select(t => t.Pattern))}");
        var perTarget = (TotalRequests + targets.Count - 1) / targets.Count;
        var anonymous = factory.CreateClient();
        var clients = new[] { teacher.Client, student.Client, anonymous };

        var requests = new List<(HttpClient Client, string Method, string Url, string Body, string? ContentType, string? Accept)>();
        var random = new Random(15);
        foreach (var target in targets)
        {
            var bodies = BodiesFor(target, random.Next(2) == 0 ? projectId : Guid.NewGuid(), random).Take(perTarget).ToList();
            foreach (var body in bodies)
            {
                var url = System.Text.RegularExpressions.Regex.Replace(target.Pattern, @"\{[^}]+\}",
                    _ => random.Next(3) == 0 ? Guid.NewGuid().ToString() : projectId.ToString());
                var contentType = random.Next(10) switch
                {
                    0 => "text/plain",
                    1 => null,
                    2 => "application/json; charset=iso-8859-1",
                    3 => "application/x-www-form-urlencoded",
                    4 => "application/json; charset=latin99",
                    _ => "application/json",
                };
                // Clients that accept no JSON (an SSE or browser client) still get their errors as problem+json.
                var accept = random.Next(5) switch { 0 => "text/event-stream", 1 => "text/html", _ => null };
                requests.Add((clients[random.Next(10) < 8 ? 0 : random.Next(1, 3)], target.Method, url, body, contentType, accept));
            }
        }

        Assert.True(requests.Count >= TotalRequests);
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (r, ct) =>
        {
            using var message = new HttpRequestMessage(new HttpMethod(r.Method), r.Url)
            {
                Content = new ByteArrayContent(Encoding.UTF8.GetBytes(r.Body)),
            };
            if (r.ContentType is not null) message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(r.ContentType);
            if (r.Accept is not null) message.Headers.Accept.ParseAdd(r.Accept);
            using var response = await r.Client.SendAsync(message, ct);
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            var text = await response.Content.ReadAsStringAsync(ct);
            string? problem = null;
            if (status >= 500)
            {
                problem = "5xx";
            }
            else if (status >= 400)
            {
                if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") problem = $"content type {response.Content.Headers.ContentType}";
                else if (string.IsNullOrEmpty(JsonNode.Parse(text)?["code"]?.GetValue<string>())) problem = "no code";
            }

            if (problem is not null && failures.Count < 30)
            {
                var shown = r.Body.Length > 200 ? r.Body[..200] + "…" : r.Body;
                failures.Enqueue($"{r.Method} {r.Url} [{r.ContentType}; accept {r.Accept}] {shown} → {status} {problem}: {(text.Length > 300 ? text[..300] : text)}");
            }
        });

        Assert.True(failures.IsEmpty, string.Join("\n", failures));
        // Sanity: the fuzz reached validation (4xx) and, with plausible templates, sometimes got through (2xx).
        Assert.Contains(statuses.Keys, s => s is 400);
        Assert.Contains(statuses.Keys, s => s is >= 200 and < 300);
    }
}
