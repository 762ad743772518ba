namespace TeacherPlatform.Api.Features.Relationships;

public sealed class RelationshipOptions
{
    public const string Section = "Relationships";
    /// <summary>How long an invitation can be accepted.</summary>
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(14);
    /// <summary>How often expired invitations and idle login-throttle rows are deleted (<see cref="StaleRowPruner"/>).</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);
}
