using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using TeacherPlatform.Api.Infrastructure;
using TeacherPlatform.Core.Authorization;
using TeacherPlatform.Core.Errors;

namespace TeacherPlatform.Api.Auth;

/// <summary>
/// Every role rule an endpoint needs, as a named policy over <see cref="RoleRules"/>; everything else needs a signed-in
/// user (the fallback policy) unless its route says <c>AllowAnonymous</c>. Object rules (who sees or changes which
/// project or document) live in <c>Core/Authorization</c> and are applied by the services and stores.
/// </summary>
public static class AuthorizationPolicies
{
    /// <summary>Inviting students.</summary>
    public const string TeacherOnly = nameof(TeacherOnly);

    /// <summary>Creating projects.</summary>
    public const string TeacherOrAdmin = nameof(TeacherOrAdmin);

    /// <summary>Accepting invitations; anyone else is told there is no such invitation (404), as before.</summary>
    public const string StudentOnly = nameof(StudentOnly);

    public static IServiceCollection AddApiAuthorization(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().AddRequirements(new AuthenticatedUserRequirement()).Build())
            .AddPolicy(TeacherOnly, p => p.RequireAuthenticatedUser()
                .AddRequirements(new RoleRequirement(RoleRules.MayInviteStudents, () => AppProblem.Forbidden("Only teachers can invite students."))))
            .AddPolicy(TeacherOrAdmin, p => p.RequireAuthenticatedUser()
                .AddRequirements(new RoleRequirement(RoleRules.MayCreateProjects, () => AppProblem.Forbidden("Only teachers can create projects."))))
            .AddPolicy(StudentOnly, p => p.RequireAuthenticatedUser()
                .AddRequirements(new RoleRequirement(RoleRules.MayAcceptInvitations, () => AppProblem.NotFound("Invitation"))));
        return services;
    }
}

/// <summary>A role rule with the problem a caller who fails it gets (the stable code and body of the contract).</summary>
public sealed class RoleRequirement(Func<string, bool> allows, Func<AppProblem> denial) : AuthorizationHandler<RoleRequirement>, IAuthorizationRequirement
{
    public AppProblem Denial() => denial();

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
    {
        if (context.User.FindFirst("role")?.Value is { } role && requirement.Allows(role)) context.Succeed(requirement);
        return Task.CompletedTask;
    }

    private bool Allows(string role) => allows(role);
}

/// <summary>
/// The fallback: every mapped route needs an authenticated user. Requests that match no route are not refused here, so
/// they keep their 404/405 answer instead of a 401.
/// </summary>
public sealed class AuthenticatedUserRequirement : AuthorizationHandler<AuthenticatedUserRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AuthenticatedUserRequirement requirement)
    {
        var routed = context.Resource is not HttpContext http || http.GetEndpoint() is RouteEndpoint;
        if (context.User.Identity?.IsAuthenticated == true || !routed) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>A failed role rule answers with its own problem+json; challenges and other refusals keep the default handling.</summary>
internal sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<RoleRequirement>().FirstOrDefault() is { } rule)
        {
            var problem = rule.Denial();
            return ProblemHandling.WriteAsync(context, problem.Status, problem.Code, problem.Title, problem.Detail, problem.Errors);
        }
        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
