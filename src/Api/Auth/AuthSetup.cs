using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TeacherPlatform.Core.Identity;

namespace TeacherPlatform.Api.Auth;

public static class AuthSetup
{
    private const string LocalScheme = "local";
    private const string ExternalScheme = "external";
    private const string Selector = "bearer";

    public static IServiceCollection AddApiAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section));
        services.AddSingleton<SigningKeys>();
        services.AddHostedService<SigningKeyRefresher>();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<ValidatedTokenCache>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<AuthSessionStore>();
        services.AddSingleton<RelationshipStore>();
        services.AddSingleton<CallerDirectory>();
        services.AddSingleton<LoginThrottleStore>();

        services.AddAuthentication(Selector)
            // Route each bearer token to the scheme of its issuer, so local and external tokens both work.
            // Options are read at request time (not at registration) so every configuration source applies.
            .AddPolicyScheme(Selector, Selector, o => o.ForwardDefaultSelector = http =>
            {
                var external = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value.External;
                if (!external.Enabled) return LocalScheme;
                var header = http.Request.Headers.Authorization.ToString();
                if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return LocalScheme;
                var handler = new JsonWebTokenHandler();
                var raw = header["Bearer ".Length..].Trim();
                if (!handler.CanReadToken(raw)) return LocalScheme;
                try
                {
                    return handler.ReadJsonWebToken(raw).Issuer == external.Issuer ? ExternalScheme : LocalScheme;
                }
                catch (ArgumentException)
                {
                    // Unreadable payload (e.g. a non-string "sub"): the local scheme refuses it with a 401.
                    return LocalScheme;
                }
            })
            .AddJwtBearer(LocalScheme, _ => { })
            // Registered always, selected only when Auth:External is configured.
            .AddJwtBearer(ExternalScheme, _ => { });
        services.AddOptions<JwtBearerOptions>(LocalScheme).Configure<TokenService, ValidatedTokenCache>((o, tokens, cache) =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = tokens.ValidationParameters();
            o.TokenHandlers.Clear();
            o.TokenHandlers.Add(cache.Handler());
            o.Events = new JwtBearerEvents
            {
                OnChallenge = ProblemChallenge,
                OnMessageReceived = SigningKeys.OnMessageReceivedAsync,
                OnTokenValidated = MapLocalUserAsync,
            };
        });
        services.AddOptions<JwtBearerOptions>(ExternalScheme).Configure<Microsoft.Extensions.Options.IOptions<AuthOptions>>((o, options) =>
        {
            var external = options.Value.External;
            o.MapInboundClaims = false;
            o.Events = new JwtBearerEvents { OnChallenge = ProblemChallenge, OnTokenValidated = MapExternalUserAsync };
            if (!external.Enabled)
            {
                // Never selected; refuse everything should it be reached anyway.
                o.TokenValidationParameters = new TokenValidationParameters { ValidIssuer = "\0", ValidAudience = "\0", RequireSignedTokens = true };
                return;
            }

            // Keys come from the issuer's JWKS (cached and refreshed by the configuration manager).
            o.RequireHttpsMetadata = external.JwksUrl!.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
            o.ConfigurationManager = new JwksConfigurationManager(external.JwksUrl!, external.Issuer!);
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = external.Issuer,
                ValidateAudience = !string.IsNullOrWhiteSpace(external.Audience),
                ValidAudience = external.Audience,
                // Asymmetric only: the keys come from a JWKS, so an HMAC "signed" with a public key must never pass.
                ValidAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"],
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
            };
        });
        services.AddApiAuthorization();
        return services;
    }

    private static async Task ProblemChallenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var detail = context.AuthenticateFailure switch
        {
            SecurityTokenExpiredException => "The access token has expired.",
            SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The access token signature is not valid.",
            null => "An access token is required (Authorization: Bearer <token>).",
            _ => "The access token is not valid.",
        };
        var code = context.AuthenticateFailure switch
        {
            SecurityTokenExpiredException => "token_expired",
            null => "unauthorized",
            _ => "invalid_token",
        };
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await Infrastructure.ProblemHandling.WriteAsync(context.HttpContext, 401, code, "Unauthorized", detail);
    }

    /// <summary>
    /// Local tokens: the subject must be an existing local user; the role is that user's current role, not the one
    /// written into the token when it was issued.
    /// </summary>
    private static async Task MapLocalUserAsync(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        var subjects = principal.FindAll(JwtRegisteredClaimNames.Sub).ToList();
        if (subjects.Count != 1 || !Guid.TryParse(subjects[0].Value, out var userId))
        {
            context.Fail("The token subject is not a user id.");
            return;
        }

        var directory = context.HttpContext.RequestServices.GetRequiredService<CallerDirectory>();
        var role = await directory.RoleOfAsync(userId, context.HttpContext.RequestAborted);
        if (role is null)
        {
            context.Fail("The token's user does not exist.");
            return;
        }

        context.Principal = CallerDirectory.Principal(userId, role, principal.FindFirstValue("sid"), context.Scheme.Name);
    }

    /// <summary>
    /// External tokens: `sub` maps to a local user (created on first sight); identity and role come only from that
    /// local record, so the token's own `role` (Supabase sends "authenticated") or `tp_uid` claims are ignored.
    /// </summary>
    private static async Task MapExternalUserAsync(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        var subjects = principal.FindAll(JwtRegisteredClaimNames.Sub).ToList();
        var sub = subjects.Count == 1 ? subjects[0].Value : null;
        var issuer = principal.FindFirstValue(JwtRegisteredClaimNames.Iss) ?? "external";
        if (string.IsNullOrWhiteSpace(sub) || sub.Length > 255) { context.Fail("The token has no usable subject."); return; }
        var users = context.HttpContext.RequestServices.GetRequiredService<UserStore>();
        var options = context.HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value.External;
        var user = await users.FindByExternalAsync(issuer, sub, context.HttpContext.RequestAborted);
        if (user is null)
        {
            var claimedEmail = principal.FindFirstValue(JwtRegisteredClaimNames.Email);
            var host = Uri.TryCreate(issuer, UriKind.Absolute, out var issuerUri) ? issuerUri.Host : "external";
            var email = claimedEmail is { Length: > 0 and <= 254 } && claimedEmail.Contains('@') ? claimedEmail : $"{Guid.NewGuid():N}@{host}";
            var role = Roles.SelfRegistrable.Contains(options.DefaultRole) ? options.DefaultRole : Roles.Student;
            user = await users.CreateAsync(email, null, email.Split('@')[0], role, issuer, sub, context.HttpContext.RequestAborted)
                ?? await users.FindByExternalAsync(issuer, sub, context.HttpContext.RequestAborted);
            if (user is null) { context.Fail("The external account's email is already used by a local account."); return; }
        }

        context.Principal = CallerDirectory.Principal(user.Id, user.Role, sessionId: null, context.Scheme.Name);
    }
}
