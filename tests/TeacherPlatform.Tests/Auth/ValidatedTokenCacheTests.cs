using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Auth;

/// <summary>The validated-token cache saves the signature check on repeat requests and changes no verdict.</summary>
public sealed class ValidatedTokenCacheTests
{
    private static async Task<HttpResponseMessage> MeAsync(ApiFactory app, string token)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.GetAsync("/api/auth/me");
    }

    [Fact]
    public async Task A_cached_token_is_refused_once_it_expires_on_the_injected_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = ApiFactory.With(time, new Dictionary<string, string?> { ["Auth:Jwt:AccessTokenLifetime"] = "00:10:00" });
        var user = await app.RegisterAsync("student");
        var cache = app.Services.GetRequiredService<ValidatedTokenCache>();

        using (var first = await MeAsync(app, user.AccessToken)) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(1, cache.Count);
        time.Advance(TimeSpan.FromMinutes(10)); // at exp: still inside the clock skew, served from the cache
        using (var cached = await MeAsync(app, user.AccessToken)) Assert.Equal(HttpStatusCode.OK, cached.StatusCode);

        time.Advance(SigningKeys.ClockSkew + TimeSpan.FromSeconds(1));
        using var expired = await MeAsync(app, user.AccessToken);
        await expired.AssertProblemAsync(HttpStatusCode.Unauthorized, "token_expired");
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task A_tampered_copy_of_a_cached_token_is_refused()
    {
        await using var app = ApiFactory.With(new Dictionary<string, string?>());
        var user = await app.RegisterAsync("student");
        using (var first = await MeAsync(app, user.AccessToken)) Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var parts = user.AccessToken.Split('.');
        var flipped = parts[2][..^2] + (parts[2][^2] == 'A' ? 'B' : 'A') + parts[2][^1];
        foreach (var tampered in new[] { $"{parts[0]}.{parts[1]}.{flipped}", $"{parts[0]}.{parts[1]}x.{parts[2]}", user.AccessToken + "A", " " + user.AccessToken[..^1] })
        {
            using var response = await MeAsync(app, tampered);
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        }
        Assert.Equal(1, app.Services.GetRequiredService<ValidatedTokenCache>().Count);
        using var again = await MeAsync(app, user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Size_0_turns_the_cache_off()
    {
        await using var app = ApiFactory.With(new Dictionary<string, string?> { ["Auth:Jwt:ValidatedTokenCacheSize"] = "0" });
        var user = await app.RegisterAsync("student");
        using (var first = await MeAsync(app, user.AccessToken)) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(0, app.Services.GetRequiredService<ValidatedTokenCache>().Count);
    }
}
