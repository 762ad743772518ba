using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TeacherPlatform.Edge.Infrastructure;
using TeacherPlatform.Edge.Streaming;
using TeacherPlatform.Tests.Infrastructure;
using TeacherPlatform.Tests.Projects;

namespace TeacherPlatform.Tests.Edge;

/// <summary>The API and the edge both really running on loopback ports; every client request goes through the edge.</summary>
public sealed class EdgeStreamTests
{
    private static bool IsOriginFetch((string Method, string Path, string? Range) r) =>
        r.Method == "GET" && r.Path.EndsWith("/stream", StringComparison.Ordinal) && r.Range is null;

    [Fact]
    public async Task Project_flow_through_the_edge_and_the_stream_behaves_exactly_like_the_api()
    {
        await using var api = RunningApi.Start();
        await using var edge = await RunningEdge.StartAsync([api.BaseUrl]);
        var teacher = await EdgeFlows.RegisterAsync(edge);
        var pdf = ProjectTestKit.Pdf(4);
        var id = await EdgeFlows.CreateReadyAsync(edge, teacher, pdf);

        var listed = await (await teacher.Client.GetAsync("/api/projects")).ReadJsonAsync();
        Assert.Contains(listed["items"]!.AsArray(), p => p!["id"]!.GetValue<string>() == id.ToString());

        // First read fills the cache, the second is a hit; both are the uploaded bytes.
        var first = await teacher.Client.GetAsync($"/api/projects/{id}/stream");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("miss", first.Headers.GetValues("X-Edge-Cache").Single());
        Assert.Equal(pdf, await first.Content.ReadAsByteArrayAsync());
        var second = await teacher.Client.GetAsync($"/api/projects/{id}/stream");
        Assert.Equal("hit", second.Headers.GetValues("X-Edge-Cache").Single());
        Assert.Equal(pdf, await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, api.Log.Count(IsOriginFetch));

        // Security headers on the edge's own answers and on proxied ones; no Server header anywhere.
        foreach (var response in new[] { second, await teacher.Client.GetAsync("/api/projects") })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.False(response.Headers.Contains("Server"));
        }

        // Same status, headers and bytes as the API's own stream, for every conditional/range case.
        var etag = second.Headers.ETag!.Tag;
        var direct = new HttpClient { BaseAddress = api.BaseUrl };
        direct.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", teacher.AccessToken);
        var cases = new (string Name, HttpMethod Method, Action<HttpRequestHeaders> Headers)[]
        {
            ("full", HttpMethod.Get, _ => { }),
            ("head", HttpMethod.Head, _ => { }),
            ("head range", HttpMethod.Head, h => h.Range = new RangeHeaderValue(0, 9)),
            ("range", HttpMethod.Get, h => h.Range = new RangeHeaderValue(100, 299)),
            ("open range", HttpMethod.Get, h => h.Range = new RangeHeaderValue(pdf.Length - 10, null)),
            ("suffix", HttpMethod.Get, h => h.Range = new RangeHeaderValue(null, 50)),
            ("past end", HttpMethod.Get, h => h.Range = new RangeHeaderValue(pdf.Length + 5, null)),
            ("two ranges", HttpMethod.Get, h => { h.Range = new RangeHeaderValue(0, 1); h.Range.Ranges.Add(new RangeItemHeaderValue(5, 6)); }),
            ("if-none-match", HttpMethod.Get, h => h.IfNoneMatch.Add(new EntityTagHeaderValue(etag))),
            ("if-none-match weak", HttpMethod.Get, h => h.IfNoneMatch.Add(new EntityTagHeaderValue(etag, isWeak: true))),
            ("if-none-match other", HttpMethod.Get, h => h.IfNoneMatch.Add(new EntityTagHeaderValue("\"other\""))),
            ("if-range fresh", HttpMethod.Get, h => { h.Range = new RangeHeaderValue(0, 9); h.IfRange = new RangeConditionHeaderValue(etag); }),
            ("if-range stale", HttpMethod.Get, h => { h.Range = new RangeHeaderValue(0, 9); h.IfRange = new RangeConditionHeaderValue("\"stale\""); }),
            ("if-match", HttpMethod.Get, h => h.IfMatch.Add(new EntityTagHeaderValue(etag))),
            ("if-match other", HttpMethod.Get, h => h.IfMatch.Add(new EntityTagHeaderValue("\"other\""))),
            ("if-unmodified-since past", HttpMethod.Get, h => h.IfUnmodifiedSince = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            ("if-unmodified-since future", HttpMethod.Get, h => h.IfUnmodifiedSince = new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero)),
        };
        foreach (var (name, method, headers) in cases)
        {
            var viaEdge = await SendAsync(teacher.Client, method, $"/api/projects/{id}/stream", headers);
            var viaApi = await SendAsync(direct, method, $"/api/projects/{id}/stream", headers);
            Assert.True(viaApi.StatusCode == viaEdge.StatusCode, $"{name}: API {(int)viaApi.StatusCode}, edge {(int)viaEdge.StatusCode}");
            foreach (var header in new[] { "ETag", "Cache-Control", "Accept-Ranges", "Content-Range", "Content-Type", "Content-Length", "Content-Disposition", "Last-Modified" })
                Assert.True(Header(viaApi, header) == Header(viaEdge, header), $"{name}: {header} API '{Header(viaApi, header)}' edge '{Header(viaEdge, header)}'");
            var apiBody = await viaApi.Content.ReadAsByteArrayAsync();
            var edgeBody = await viaEdge.Content.ReadAsByteArrayAsync();
            if (viaApi.Content.Headers.ContentType?.MediaType == "application/problem+json")
                Assert.Equal(JsonNode.Parse(apiBody)!["code"]!.GetValue<string>(), JsonNode.Parse(edgeBody)!["code"]!.GetValue<string>());
            else
                Assert.True(apiBody.AsSpan().SequenceEqual(edgeBody), $"{name}: bodies differ");
        }
        Assert.Equal(1, edge.Get<EdgeMetrics>().OriginFetchCount);
    }

    [Fact]
    public async Task Concurrent_range_requests_for_an_uncached_pdf_cause_exactly_one_origin_fetch()
    {
        await using var api = RunningApi.Start();
        await using var edge = await RunningEdge.StartAsync([api.BaseUrl]);
        var teacher = await EdgeFlows.RegisterAsync(edge);
        var pdf = ProjectTestKit.Pdf(40);
        var id = await EdgeFlows.CreateReadyAsync(edge, teacher, pdf);

        const int clients = 24;
        var responses = await Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
        {
            var from = i * 37 % (pdf.Length - 200);
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{id}/stream");
            request.Headers.Range = new RangeHeaderValue(from, from + 99);
            using var response = await teacher.Client.SendAsync(request);
            return (from, response.StatusCode, Bytes: await response.Content.ReadAsByteArrayAsync());
        }));

        foreach (var (from, status, bytes) in responses)
        {
            Assert.Equal(HttpStatusCode.PartialContent, status);
            Assert.Equal(pdf.AsSpan(from, 100).ToArray(), bytes);
        }
        Assert.Equal(1, api.Log.Count(IsOriginFetch));
        Assert.Equal(1, edge.Get<EdgeMetrics>().OriginFetchCount);
    }

    [Fact]
    public async Task A_revoked_grant_is_refused_once_the_access_cache_time_has_passed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var api = RunningApi.Start();
        await using var edge = await RunningEdge.StartAsync([api.BaseUrl], new Dictionary<string, string?> { ["Edge:AccessCacheDuration"] = "00:00:20" }, clock);
        var teacher = await EdgeFlows.RegisterAsync(edge);
        var student = await EdgeFlows.RegisterAsync(edge, "student");
        var pdf = ProjectTestKit.Pdf(2);
        var id = await EdgeFlows.CreateReadyAsync(edge, teacher, pdf);
        await ProjectTestKit.LinkAsync(teacher, student);
        await ProjectTestKit.GrantAsync(teacher, id, student, "view");

        Assert.Equal(pdf, await student.Client.GetByteArrayAsync($"/api/projects/{id}/stream"));
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.Client.DeleteAsync($"/api/projects/{id}/access/{student.Id}")).StatusCode);
        // The API itself refuses at once.
        var direct = new HttpClient { BaseAddress = api.BaseUrl };
        direct.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", student.AccessToken);
        await (await direct.GetAsync($"/api/projects/{id}/stream")).AssertProblemAsync(HttpStatusCode.NotFound);

        // Within the access cache time the edge still serves (the documented window)…
        clock.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(HttpStatusCode.OK, (await student.Client.GetAsync($"/api/projects/{id}/stream")).StatusCode);
        // …after it, the edge asks again and relays the API's refusal; the owner is unaffected.
        clock.Advance(TimeSpan.FromSeconds(2));
        await (await student.Client.GetAsync($"/api/projects/{id}/stream")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await teacher.Client.GetAsync($"/api/projects/{id}/stream")).StatusCode);
    }

    [Fact]
    public async Task Forged_expired_and_missing_tokens_get_401_without_reaching_the_api()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var api = RunningApi.Start();
        await using var edge = await RunningEdge.StartAsync([api.BaseUrl], clock: clock);
        var teacher = await EdgeFlows.RegisterAsync(edge);
        var id = await EdgeFlows.CreateReadyAsync(edge, teacher, ProjectTestKit.Pdf(1));
        Assert.Equal(HttpStatusCode.OK, (await teacher.Client.GetAsync($"/api/projects/{id}/stream")).StatusCode);
        var real = new JsonWebTokenHandler().ReadJsonWebToken(teacher.AccessToken);
        int StreamRequests() => api.Log.Count(r => r.Path.EndsWith("/stream", StringComparison.Ordinal));
        var before = StreamRequests();

        // Same claims and kid, signed with another key; an unknown kid; alg none; garbage.
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forgedSameKid = Forge(real, new ECDsaSecurityKey(otherKey) { KeyId = real.Kid });
        var forgedOtherKid = Forge(real, new ECDsaSecurityKey(otherKey) { KeyId = "attacker" });
        var unsigned = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = real.Issuer, Audience = real.Audiences.First(), Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["sub"] = real.Subject },
        });
        foreach (var token in new[] { forgedSameKid, forgedOtherKid, unsigned, "not.a.jwt" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{id}/stream");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var response = await edge.Client.SendAsync(request);
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
        await (await edge.Client.GetAsync($"/api/projects/{id}/stream")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");

        // The real token once it has expired (the edge's clock moves past exp + skew).
        clock.Advance(TimeSpan.FromHours(2));
        await (await teacher.Client.GetAsync($"/api/projects/{id}/stream")).AssertProblemAsync(HttpStatusCode.Unauthorized, "token_expired");
        Assert.Equal(before, StreamRequests());
    }

    [Fact]
    public async Task The_cache_never_exceeds_its_cap_and_evicts_the_least_recently_used_file()
    {
        await using var api = RunningApi.Start();
        var sizes = new[] { 10, 14, 18, 22 }.Select(p => ProjectTestKit.Pdf(p, $"Piece {p}")).ToArray();
        var cap = sizes[2].Length + sizes[3].Length; // room for the two biggest, never three
        await using var edge = await RunningEdge.StartAsync([api.BaseUrl], new Dictionary<string, string?> { ["Edge:Cache:MaxBytes"] = cap.ToString() });
        var teacher = await EdgeFlows.RegisterAsync(edge);
        var ids = new List<Guid>();
        foreach (var pdf in sizes) ids.Add(await EdgeFlows.CreateReadyAsync(edge, teacher, pdf));
        var huge = ProjectTestKit.Pdf(60, "Too big");
        Assert.True(huge.Length > cap);
        var hugeId = await EdgeFlows.CreateReadyAsync(edge, teacher, huge);
        var cache = edge.Get<EdgeCache>();

        long OnDisk() => new DirectoryInfo(edge.CacheDirectory).GetFiles().Sum(f => f.Length);
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < ids.Count; i++)
            {
                Assert.Equal(sizes[i], await teacher.Client.GetByteArrayAsync($"/api/projects/{ids[i]}/stream"));
                Assert.InRange(OnDisk(), 0, cap);
                Assert.InRange(cache.UsedBytes, 0, cap);
            }
        }
        Assert.True(edge.Get<EdgeMetrics>().EvictionCount > 0);

        // The most recently used file is a hit; a file bigger than the cap is passed through from the API, never cached.
        var recent = await teacher.Client.GetAsync($"/api/projects/{ids[^1]}/stream");
        Assert.Equal("hit", recent.Headers.GetValues("X-Edge-Cache").Single());
        var big = await teacher.Client.GetAsync($"/api/projects/{hugeId}/stream");
        Assert.Equal(HttpStatusCode.OK, big.StatusCode);
        Assert.Equal(huge, await big.Content.ReadAsByteArrayAsync());
        Assert.False(big.Headers.Contains("X-Edge-Cache"));
        Assert.InRange(OnDisk(), 0, cap);
    }

    [Fact]
    public async Task Bad_ids_unknown_paths_and_unknown_projects_get_problem_json()
    {
        await using var api = RunningApi.Start();
        await using var edge = await RunningEdge.StartAsync([api.BaseUrl]);
        var teacher = await EdgeFlows.RegisterAsync(edge);
        await (await teacher.Client.GetAsync("/api/projects/not-a-guid/stream")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await teacher.Client.GetAsync($"/api/projects/{Guid.NewGuid()}/stream")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await teacher.Client.GetAsync("/nothing-here")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await teacher.Client.GetAsync("/metrics")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        // A project whose file is not confirmed yet: the API's 409 is relayed.
        var pending = await ProjectTestKit.CreateAsync(teacher);
        await (await teacher.Client.GetAsync($"/api/projects/{pending.Id}/stream")).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, Action<HttpRequestHeaders> headers)
    {
        var request = new HttpRequestMessage(method, url);
        headers(request.Headers);
        return await client.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var v) || response.Content.Headers.TryGetValues(name, out v) ? string.Join(",", v) : null;

    private static string Forge(JsonWebToken real, SecurityKey key) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = real.Issuer, Audience = real.Audiences.First(), Expires = real.ValidTo, IssuedAt = real.IssuedAt, NotBefore = real.ValidFrom,
        SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
        Claims = new Dictionary<string, object> { ["sub"] = real.Subject, ["role"] = "teacher" },
    });
}
