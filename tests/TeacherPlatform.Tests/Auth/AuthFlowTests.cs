using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Auth;

public sealed class AuthFlowTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Register_login_me_refresh_reuse_logout_full_flow()
    {
        var anon = factory.CreateClient();
        var email = $"Flow.{Guid.NewGuid():N}@Example.com";
        var reg = await anon.PostJsonAsync("/api/auth/register", new { email, password = TestClients.Password, display_name = "Flow", role = "teacher" });
        Assert.Equal(HttpStatusCode.Created, reg.StatusCode);
        var regBody = await reg.ReadJsonAsync();
        Assert.Equal("bearer", regBody["token_type"]!.GetValue<string>());
        Assert.Equal(3600, regBody["expires_in"]!.GetValue<int>());
        Assert.Equal("teacher", regBody["user"]!["role"]!.GetValue<string>());

        // Login is case-insensitive on email (normalised).
        var login = await anon.PostJsonAsync("/api/auth/login", new { email = email.ToUpperInvariant(), password = TestClients.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var tokens = await login.ReadJsonAsync();
        var access = tokens["access_token"]!.GetValue<string>();
        var refresh1 = tokens["refresh_token"]!.GetValue<string>();

        var authed = factory.CreateClient();
        authed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        var me = await authed.GetAsync("/api/auth/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(regBody["user"]!["id"]!.GetValue<string>(), (await me.ReadJsonAsync())["id"]!.GetValue<string>());

        // Rotation: refresh1 → refresh2.
        var r2 = await anon.PostJsonAsync("/api/auth/refresh", new { refresh_token = refresh1 });
        Assert.Equal(HttpStatusCode.OK, r2.StatusCode);
        var refresh2 = (await r2.ReadJsonAsync())["refresh_token"]!.GetValue<string>();
        Assert.NotEqual(refresh1, refresh2);

        // Reusing refresh1 is refused and revokes the session: refresh2 stops working too.
        (await anon.PostJsonAsync("/api/auth/refresh", new { refresh_token = refresh1 })).Dispose();
        var reuse = await anon.PostJsonAsync("/api/auth/refresh", new { refresh_token = refresh1 });
        await reuse.AssertProblemAsync(HttpStatusCode.Unauthorized);
        var afterReuse = await anon.PostJsonAsync("/api/auth/refresh", new { refresh_token = refresh2 });
        await afterReuse.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");

        // A fresh session, then logout revokes its refresh token.
        var login2 = await (await anon.PostJsonAsync("/api/auth/login", new { email, password = TestClients.Password })).ReadJsonAsync();
        var client2 = factory.CreateClient();
        client2.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login2["access_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await client2.PostAsync("/api/auth/logout", null)).StatusCode);
        var afterLogout = await anon.PostJsonAsync("/api/auth/refresh", new { refresh_token = login2["refresh_token"]!.GetValue<string>() });
        await afterLogout.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task First_reuse_of_a_rotated_token_is_reported_as_reuse()
    {
        var user = await factory.RegisterAsync("student");
        var anon = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anon.PostJsonAsync("/api/auth/refresh", new { refresh_token = user.RefreshToken })).StatusCode);
        var reuse = await anon.PostJsonAsync("/api/auth/refresh", new { refresh_token = user.RefreshToken });
        await reuse.AssertProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_reused");
    }

    [Fact]
    public async Task Jwks_verifies_issued_tokens_and_the_key_id_matches()
    {
        var user = await factory.RegisterAsync("student");
        var jwks = await factory.CreateClient().GetStringAsync("/.well-known/jwks.json");
        var set = new JsonWebKeySet(jwks);
        var key = Assert.Single(set.Keys);
        Assert.Equal("EC", key.Kty);
        Assert.Equal("ES256", key.Alg);
        var token = new JsonWebToken(user.AccessToken);
        Assert.Equal(key.Kid, token.Kid);
        Assert.Equal("ES256", token.Alg);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(user.AccessToken, new TokenValidationParameters
        {
            IssuerSigningKeys = set.GetSigningKeys(), ValidateAudience = false, ValidateIssuer = false,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(user.Id.ToString(), result.ClaimsIdentity.FindFirst("sub")!.Value);
    }

    [Fact]
    public async Task Expired_token_and_token_signed_by_another_key_are_refused()
    {
        var user = await factory.RegisterAsync("student");
        var kid = new JsonWebToken(user.AccessToken).Kid;
        // The key set lives in the database (shared by every instance).
        string pem;
        await using (var c = await factory.Services.GetRequiredService<TeacherPlatform.Core.Persistence.Db>().OpenAsync())
            pem = await Dapper.SqlMapper.ExecuteScalarAsync<string>(c, "SELECT private_key_pem FROM signing_keys WHERE kid = @kid", new { kid }) ?? "";
        using var ours = ECDsa.Create();
        ours.ImportFromPem(pem);

        string Sign(ECDsa key, DateTime issued, DateTime expires) => new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "teacherplatform", Audience = "teacherplatform-api", IssuedAt = issued, NotBefore = issued, Expires = expires,
            Claims = new Dictionary<string, object> { ["sub"] = user.Id.ToString(), ["role"] = "student" },
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256),
        });

        var now = DateTime.UtcNow;
        var client = factory.CreateClient();
        // Sanity: our key with a valid lifetime is accepted, so the refusals below are about expiry and key.
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Sign(ours, now.AddMinutes(-1), now.AddMinutes(10)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me")).StatusCode);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Sign(ours, now.AddHours(-2), now.AddHours(-1)));
        await (await client.GetAsync("/api/auth/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "token_expired");

        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Sign(other, now.AddMinutes(-1), now.AddMinutes(10)));
        await (await client.GetAsync("/api/auth/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");

        client.DefaultRequestHeaders.Authorization = null;
        await (await client.GetAsync("/api/auth/me")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Wrong_password_is_401_and_repeated_failures_lock_the_account()
    {
        var user = await factory.RegisterAsync("student");
        var anon = factory.CreateClient();
        for (var i = 0; i < 5; i++)
            await (await anon.PostJsonAsync("/api/auth/login", new { email = user.Email, password = "Wrong-Pass-1" }))
                .AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var locked = await anon.PostJsonAsync("/api/auth/login", new { email = user.Email, password = TestClients.Password });
        await locked.AssertProblemAsync(HttpStatusCode.TooManyRequests, "account_locked");
        Assert.True(locked.Headers.RetryAfter is not null);
        // Unknown email: same answer as a wrong password.
        await (await anon.PostJsonAsync("/api/auth/login", new { email = "nobody@example.com", password = "Wrong-Pass-1" }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task Duplicate_email_is_409_regardless_of_case_and_whitespace()
    {
        var user = await factory.RegisterAsync("teacher");
        var anon = factory.CreateClient();
        var dup = await anon.PostJsonAsync("/api/auth/register", new { email = "  " + user.Email.ToUpperInvariant() + " ", password = TestClients.Password, display_name = "x", role = "student" });
        await dup.AssertProblemAsync(HttpStatusCode.Conflict, "email_taken");
    }
}
