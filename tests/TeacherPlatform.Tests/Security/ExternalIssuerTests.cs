using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Security;

/// <summary>
/// With Auth:External configured, an external token maps its `sub` to a local user; its own `role` and `tp_uid`
/// claims are ignored (the reproducer of issue 15: "role":"admin" published public knowledge, "tp_uid" acted as the victim).
/// The issuer's signing key is supplied in-test instead of being fetched from a JWKS URL.
/// </summary>
public sealed class ExternalIssuerTests : IAsyncLifetime
{
    private const string Issuer = "https://idp.example.test/auth/v1";
    private readonly ECDsa _idpKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ApiFactory _factory = ApiFactory.With(new Dictionary<string, string?>
    {
        ["Auth:External:Issuer"] = Issuer,
        ["Auth:External:JwksUrl"] = Issuer + "/.well-known/jwks.json",
        ["Auth:External:Audience"] = "authenticated",
    });
    private WebApplicationFactory<Program> _app = null!;

    public Task InitializeAsync()
    {
        var key = new ECDsaSecurityKey(ECDsa.Create(_idpKey.ExportParameters(false))) { KeyId = "idp-1" };
        var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
        configuration.SigningKeys.Add(key);
        _app = _factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.PostConfigure<JwtBearerOptions>("external", o => o.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration))));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _factory.DisposeAsync();
        _idpKey.Dispose();
    }

    private string ExternalToken(Dictionary<string, object> claims, SigningCredentials? credentials = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = "authenticated",
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = credentials ?? new SigningCredentials(new ECDsaSecurityKey(_idpKey) { KeyId = "idp-1" }, SecurityAlgorithms.EcdsaSha256),
            Claims = claims,
        });

    private HttpClient ClientWith(string token)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task External_role_and_tp_uid_claims_are_ignored_and_sub_maps_to_one_local_user()
    {
        var victim = await _app.RegisterAsync("teacher");
        var victimProject = await victim.Client.PostJsonAsync("/api/projects", new { title = "Victim's", filename = "v.pdf" });
        Assert.Equal(HttpStatusCode.Created, victimProject.StatusCode);

        var sub = Guid.NewGuid().ToString();
        var attacker = ClientWith(ExternalToken(new Dictionary<string, object>
        {
            ["sub"] = sub, ["email"] = $"ext-{sub}@example.com", ["role"] = "admin", ["tp_uid"] = victim.Id.ToString(),
        }));

        using var meResponse = await attacker.GetAsync("/api/auth/me");
        Assert.True(meResponse.StatusCode == HttpStatusCode.OK, await meResponse.Content.ReadAsStringAsync());
        var me = await meResponse.ReadJsonAsync();
        Assert.NotEqual(victim.Id.ToString(), me["id"]!.GetValue<string>());
        Assert.Equal("student", me["role"]!.GetValue<string>());

        await (await attacker.PostJsonAsync("/api/knowledge", new { title = "Injected", source_type = "text", is_public = true, filename = "x.txt" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden);
        var projects = await (await attacker.GetAsync("/api/projects")).ReadJsonAsync();
        Assert.Empty(projects["items"]!.AsArray());

        // Supabase sends role "authenticated" on every token; the same sub is the same local user.
        var again = ClientWith(ExternalToken(new Dictionary<string, object> { ["sub"] = sub, ["role"] = "authenticated" }));
        var meAgain = await (await again.GetAsync("/api/auth/me")).ReadJsonAsync();
        Assert.Equal(me["id"]!.GetValue<string>(), meAgain["id"]!.GetValue<string>());
        Assert.Equal("student", meAgain["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task External_forgeries_and_unusable_subjects_are_401()
    {
        using var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicBytes = _idpKey.ExportSubjectPublicKeyInfo();
        var tokens = new Dictionary<string, string>
        {
            ["foreign key"] = ExternalToken(new() { ["sub"] = "x" }, new SigningCredentials(new ECDsaSecurityKey(foreign) { KeyId = "idp-1" }, SecurityAlgorithms.EcdsaSha256)),
            ["HS256 with the public key"] = ExternalToken(new() { ["sub"] = "x" }, new SigningCredentials(new SymmetricSecurityKey(publicBytes) { KeyId = "idp-1" }, SecurityAlgorithms.HmacSha256)),
            ["no sub"] = ExternalToken(new() { ["role"] = "admin" }),
            ["empty sub"] = ExternalToken(new() { ["sub"] = "" }),
            ["two subs"] = ExternalToken(new() { ["sub"] = new[] { "a", "b" } }),
        };
        foreach (var (name, token) in tokens)
        {
            using var response = await ClientWith(token).GetAsync("/api/auth/me");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        }
    }
}
