using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TeacherPlatform.Api.Features.Auth;
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
        services.AddScoped<AuthService>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<AuthSessionStore>();
        services.AddSingleton<RelationshipStore>();

        var external = configuration.GetSection($"{AuthOptions.Section}:External").Get<ExternalIssuerOptions>() ?? new();
        var auth = services.AddAuthentication(Selector)
            // Route each bearer token to the scheme of its issuer, so local and external tokens both work.
            .AddPolicyScheme(Selector, Selector, o => o.ForwardDefaultSelector = http =>
            {
                if (!external.Enabled) return LocalScheme;
                var header = http.Request.Headers.Authorization.ToString();
                if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return LocalScheme;
                var handler = new JsonWebTokenHandler();
                var raw = header["Bearer ".Length..].Trim();
                if (!handler.CanReadToken(raw)) return LocalScheme;
                return handler.ReadJsonWebToken(raw).Issuer == external.Issuer ? ExternalScheme : LocalScheme;
            })
            .AddJwtBearer(LocalScheme, _ => { });
        services.AddOptions<JwtBearerOptions>(LocalScheme).Configure<TokenService>((o, tokens) =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = tokens.ValidationParameters();
            o.Events = new JwtBearerEvents { OnChallenge = ProblemChallenge, OnMessageReceived = SigningKeys.OnMessageReceivedAsync };
        });

        if (external.Enabled)
        {
            // Keys come from the issuer's JWKS (cached and refreshed by the configuration manager).
            auth.AddJwtBearer(ExternalScheme, o =>
            {
                o.MapInboundClaims = false;
                o.RequireHttpsMetadata = external.JwksUrl!.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
                o.ConfigurationManager = new JwksConfigurationManager(external.JwksUrl!, external.Issuer!);
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = external.Issuer,
                    ValidateAudience = !string.IsNullOrWhiteSpace(external.Audience),
                    ValidAudience = external.Audience,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                o.Events = new JwtBearerEvents
                {
                    OnChallenge = ProblemChallenge,
                    OnTokenValidated = MapExternalUserAsync,
                };
            });
        }
        services.AddAuthorization();
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

    /// <summary>Maps the external `sub` to a local user (created on first sight) and adds its id and role as claims.</summary>
    private static async Task MapExternalUserAsync(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        var sub = principal.FindFirstValue(JwtRegisteredClaimNames.Sub);
        var issuer = principal.FindFirstValue(JwtRegisteredClaimNames.Iss) ?? "external";
        if (string.IsNullOrWhiteSpace(sub)) { context.Fail("The token has no subject."); return; }
        var users = context.HttpContext.RequestServices.GetRequiredService<UserStore>();
        var options = context.HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value.External;
        var user = await users.FindByExternalAsync(issuer, sub, context.HttpContext.RequestAborted);
        if (user is null)
        {
            var email = principal.FindFirstValue(JwtRegisteredClaimNames.Email) ?? $"{sub}@{new Uri(issuer, UriKind.RelativeOrAbsolute).GetComponents(UriComponents.Host, UriFormat.Unescaped)}";
            var role = Roles.SelfRegistrable.Contains(options.DefaultRole) ? options.DefaultRole : Roles.Student;
            user = await users.CreateAsync(email, null, email.Split('@')[0], role, issuer, sub, context.HttpContext.RequestAborted)
                ?? await users.FindByExternalAsync(issuer, sub, context.HttpContext.RequestAborted);
            if (user is null) { context.Fail("The external account's email is already used by a local account."); return; }
        }
        var identity = new ClaimsIdentity([new Claim(CurrentUserClaims.LocalUserId, user.Id.ToString()), new Claim("role", user.Role)]);
        principal.AddIdentity(identity);
    }
}
