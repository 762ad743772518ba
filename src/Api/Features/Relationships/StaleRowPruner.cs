using Microsoft.Extensions.Options;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Identity;

namespace TeacherPlatform.Api.Features.Relationships;

/// <summary>
/// Every <see cref="RelationshipOptions.PruneInterval"/> (on the injected <see cref="TimeProvider"/>) deletes expired
/// relationship invitations (nothing reads them any more) and <c>login_throttle</c> rows idle for longer than the lockout
/// duration (their count would restart at 1 anyway), so neither table grows without bound.
/// </summary>
public sealed class StaleRowPruner(RelationshipStore relationships, LoginThrottleStore throttle, TimeProvider clock,
    IOptions<RelationshipOptions> options, IOptions<AuthOptions> auth, ILogger<StaleRowPruner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PruneInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var invitations = await relationships.PruneExpiredInvitationsAsync(TimeSpan.Zero, stoppingToken);
                    var throttles = await throttle.PruneAsync(auth.Value.Lockout.LockoutDuration, stoppingToken);
                    if (invitations > 0 || throttles > 0)
                        logger.LogInformation("Pruned {Invitations} expired invitations and {Throttles} idle login throttle rows", invitations, throttles);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Pruning stale rows failed; retrying at the next interval");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
