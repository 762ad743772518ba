using System.Net;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Operations;

/// <summary>Behind a load balancer: the real client address counts, forged ones do not; limits are shared.</summary>
public sealed class LoadBalancerTests
{
    private static HttpRequestMessage Login() => new(HttpMethod.Post, "/api/auth/login")
    {
        Content = System.Net.Http.Json.JsonContent.Create(new { email = "nobody@example.com", password = "Wrong-pass-1" }),
    };

    private static Dictionary<string, string?> Limits(int authPermits) => new()
    {
        ["RateLimiting:Enabled"] = "true",
        ["RateLimiting:AuthPermitLimit"] = authPermits.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ForwardedHeaders:KnownProxies:0"] = "10.0.0.1",
        ["ForwardedHeaders:KnownNetworks:0"] = "172.16.0.0/12",
    };

    [Fact]
    public async Task Spoofed_forwarded_for_from_an_untrusted_peer_is_ignored()
    {
        await using var factory = ApiFactory.With(Limits(2));
        var client = factory.WithPeerAddresses().CreateClient();
        // A direct client rotating forged X-Forwarded-For values still spends one budget: its own address.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
            statuses.Add((await client.SendAsync(Login().From("203.0.113.9", $"198.51.100.{i + 1}"))).StatusCode);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        // Another direct client is unaffected.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Login().From("203.0.113.10", "198.51.100.1"))).StatusCode);
    }

    [Fact]
    public async Task Trusted_proxies_pass_the_real_client_address_so_each_client_gets_its_own_budget()
    {
        await using var factory = ApiFactory.With(Limits(2));
        var client = factory.WithPeerAddresses().CreateClient();
        // Through the known proxy and through a proxy in the known network: one client, one budget.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Login().From("10.0.0.1", "198.51.100.7"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Login().From("172.20.0.5", "198.51.100.7"))).StatusCode);
        await (await client.SendAsync(Login().From("10.0.0.1", "198.51.100.7"))).AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        // Other clients behind the same proxy are not throttled by that one.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Login().From("10.0.0.1", "198.51.100.8"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Login().From("172.20.0.5", "2001:db8::1"))).StatusCode);
    }

    [SkippableFact]
    public async Task Two_instances_on_one_redis_enforce_one_shared_limit()
    {
        var redis = Environment.GetEnvironmentVariable("TEST_REDIS");
        Skip.If(string.IsNullOrEmpty(redis), "TEST_REDIS is not set (scripts/test.sh starts redis-server and sets it)");
        Skip.If(ApiFactory.IsPostgres, "two instances on one PGlite connection; the SQLite run covers this");
        var settings = Limits(3);
        settings["Cache:Redis"] = redis;
        settings["Cache:InstanceName"] = $"tp-test-{Guid.NewGuid():N}:";
        await using var a = ApiFactory.With(settings);
        await using var b = ApiFactory.With(settings);
        var onA = a.WithPeerAddresses().CreateClient();
        var onB = b.WithPeerAddresses().CreateClient();
        // One client (through the proxy) spreads its attempts over both instances: the 4th is refused,
        // although each instance alone has seen fewer than 3.
        Assert.Equal(HttpStatusCode.Unauthorized, (await onA.SendAsync(Login().From("10.0.0.1", "198.51.100.20"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onB.SendAsync(Login().From("10.0.0.1", "198.51.100.20"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onA.SendAsync(Login().From("10.0.0.1", "198.51.100.20"))).StatusCode);
        var refused = await onB.SendAsync(Login().From("10.0.0.1", "198.51.100.20"));
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        // A different client is still served by either instance.
        Assert.Equal(HttpStatusCode.Unauthorized, (await onB.SendAsync(Login().From("10.0.0.1", "198.51.100.21"))).StatusCode);
    }

    [Fact]
    public async Task Without_reachable_redis_each_instance_falls_back_to_its_own_limit()
    {
        var settings = Limits(2);
        settings["Cache:Redis"] = "127.0.0.1:1,connectTimeout=200";
        await using var factory = ApiFactory.With(settings);
        var client = factory.WithPeerAddresses().CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Login().From("203.0.113.30"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Login().From("203.0.113.30"))).StatusCode);
        await (await client.SendAsync(Login().From("203.0.113.30"))).AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
    }
}
