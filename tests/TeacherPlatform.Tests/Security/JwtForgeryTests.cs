using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Identity;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Security;

/// <summary>Forged, tampered and stale access tokens: every one is a 401 problem, and claims never outrank the local record.</summary>
public sealed class JwtForgeryTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private SigningKeys Keys => factory.Services.GetRequiredService<SigningKeys>();

    private static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    private string Sign(Dictionary<string, object> claims, SigningCredentials? credentials = null, DateTimeOffset? expires = null,
        IDictionary<string, object>? header = null)
    {
        var now = DateTimeOffset.UtcNow;
        if (expires < now) now = expires.Value.AddMinutes(-10);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "teacherplatform",
            Audience = "teacherplatform-api",
            IssuedAt = now.AddMinutes(-1).UtcDateTime,
            NotBefore = now.AddMinutes(-1).UtcDateTime,
            Expires = (expires ?? now.AddMinutes(10)).UtcDateTime,
            SigningCredentials = credentials ?? Keys.Credentials,
            Claims = claims,
            AdditionalHeaderClaims = header,
        });
    }

    private async Task<HttpResponseMessage> MeAsync(string token)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.GetAsync("/api/auth/me");
    }

    [Fact]
    public async Task Forgeries_are_401_problems()
    {
        var victim = await factory.RegisterAsync("teacher");
        var sub = victim.Id.ToString();
        var claims = new Dictionary<string, object> { ["sub"] = sub, ["role"] = "admin" };
        var publicJwk = Keys.PublishedJwks.Single(k => k.Kid == Keys.KeyId);
        var publicBytes = Base64UrlEncoder.DecodeBytes(publicJwk.X).Concat(Base64UrlEncoder.DecodeBytes(publicJwk.Y)).ToArray();
        using var pub = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(publicJwk.X), Y = Base64UrlEncoder.DecodeBytes(publicJwk.Y) },
        });
        using var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var foreignKey = new ECDsaSecurityKey(foreign) { KeyId = Keys.KeyId };
        var foreignJwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(foreign.ExportParameters(false))));
        var valid = Sign(claims);
        var parts = valid.Split('.');

        var forgeries = new Dictionary<string, string>
        {
            ["alg none"] = $"{B64($$"""{"alg":"none","typ":"JWT","kid":"{{Keys.KeyId}}"}""")}.{parts[1]}.",
            ["alg none, no dot"] = $"{B64("""{"alg":"none"}""")}.{parts[1]}",
            ["HS256 with the public key (x||y)"] = Sign(claims, new SigningCredentials(new SymmetricSecurityKey(publicBytes) { KeyId = Keys.KeyId }, SecurityAlgorithms.HmacSha256)),
            ["HS256 with the public key (PEM)"] = Sign(claims, new SigningCredentials(new SymmetricSecurityKey(Encoding.ASCII.GetBytes(pub.ExportSubjectPublicKeyInfoPem())) { KeyId = Keys.KeyId }, SecurityAlgorithms.HmacSha256)),
            ["HS256 with the public key (SPKI DER)"] = Sign(claims, new SigningCredentials(new SymmetricSecurityKey(pub.ExportSubjectPublicKeyInfo()) { KeyId = Keys.KeyId }, SecurityAlgorithms.HmacSha256)),
            ["foreign key, same kid"] = Sign(claims, new SigningCredentials(foreignKey, SecurityAlgorithms.EcdsaSha256)),
            ["foreign key, embedded jwk"] = Sign(claims, new SigningCredentials(foreignKey, SecurityAlgorithms.EcdsaSha256),
                header: new Dictionary<string, object> { ["jwk"] = new Dictionary<string, object> { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = foreignJwk.X, ["y"] = foreignJwk.Y } }),
            ["foreign key, jku"] = Sign(claims, new SigningCredentials(foreignKey, SecurityAlgorithms.EcdsaSha256),
                header: new Dictionary<string, object> { ["jku"] = "http://127.0.0.1:1/jwks.json" }),
            ["payload swapped"] = $"{parts[0]}.{B64($$"""{"sub":"{{sub}}","role":"admin","iss":"teacherplatform","aud":"teacherplatform-api","exp":9999999999}""")}.{parts[2]}",
            ["signature truncated"] = valid[..^4],
            ["signature of another token"] = $"{parts[0]}.{parts[1]}.{Sign(new Dictionary<string, object> { ["sub"] = Guid.NewGuid().ToString() }).Split('.')[2]}",
            ["expired"] = Sign(claims, expires: DateTimeOffset.UtcNow.AddMinutes(-5)),
            ["sub not a guid"] = Sign(new Dictionary<string, object> { ["sub"] = "admin" }),
            ["sub missing"] = Sign(new Dictionary<string, object> { ["role"] = "admin" }),
            ["sub of no user"] = Sign(new Dictionary<string, object> { ["sub"] = Guid.NewGuid().ToString() }),
            ["sub an array"] = Sign(new Dictionary<string, object> { ["sub"] = new[] { sub, sub } }),
            ["garbage"] = "a.b.c",
            ["empty"] = ".",
            ["huge"] = new string('A', 20_000),
        };

        foreach (var (name, token) in forgeries)
        {
            using var response = await MeAsync(token);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name}: {(int)response.StatusCode} {body}");
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        }

        using (var expired = await MeAsync(forgeries["expired"])) await expired.AssertProblemAsync(HttpStatusCode.Unauthorized, "token_expired");
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(valid)).StatusCode);
    }

    [Fact]
    public async Task A_validly_signed_token_cannot_choose_its_role_or_user()
    {
        var student = await factory.RegisterAsync("student");
        var victim = await factory.RegisterAsync("teacher");
        var token = Sign(new Dictionary<string, object> { ["sub"] = student.Id.ToString(), ["role"] = "admin", ["tp_uid"] = victim.Id.ToString() });

        using var me = await MeAsync(token);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var user = await me.ReadJsonAsync();
        Assert.Equal(student.Id.ToString(), user["id"]!.GetValue<string>());
        Assert.Equal("student", user["role"]!.GetValue<string>());

        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await (await client.PostJsonAsync("/api/knowledge", new { title = "Public", source_type = "text", is_public = true, filename = "a.txt" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden);
    }
}

/// <summary>Own app instance (role cache off); no class fixture, so PGlite's single connection is free.</summary>
public sealed class DemotionTests
{
    [Fact]
    public async Task A_demoted_user_loses_the_old_role_on_the_next_request()
    {
        await using var fresh = ApiFactory.With(new Dictionary<string, string?> { ["Auth:RoleCacheDuration"] = "00:00:00" });
        var teacher = await fresh.RegisterAsync("teacher");
        var student = await fresh.RegisterAsync("student");
        Assert.Equal(HttpStatusCode.Accepted, (await teacher.Client.PostJsonAsync("/api/relationships", new { student_id = student.Id })).StatusCode);

        var db = fresh.Services.GetRequiredService<Db>();
        await using (var c = await db.OpenAsync())
        {
            await c.ExecuteAsync("UPDATE users SET role = 'student' WHERE id = @id", new { id = teacher.Id });
        }

        // The same, still valid access token (role "teacher" inside) now acts as a student.
        await (await teacher.Client.PostJsonAsync("/api/relationships", new { student_id = student.Id })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("student", (await (await teacher.Client.GetAsync("/api/auth/me")).ReadJsonAsync())["role"]!.GetValue<string>());
    }
}
