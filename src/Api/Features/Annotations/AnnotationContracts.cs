using System.Text.Json;
using TeacherPlatform.Core.Projects;

namespace TeacherPlatform.Api.Features.Annotations;

public sealed record CreateAnnotationRequest(Guid? ProjectId, int? PageNumber, string? AnnotationType, JsonElement? Content);

/// <summary>The type is fixed at creation; <c>content</c> is validated against it.</summary>
public sealed record UpdateAnnotationRequest(int? PageNumber, string? AnnotationType, JsonElement? Content);

public sealed record AnnotationResponse(Guid Id, Guid ProjectId, Guid AuthorId, string AuthorDisplayName, int PageNumber, string AnnotationType,
    JsonElement Content, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static AnnotationResponse From(Annotation a) => new(a.Id, a.ProjectId, a.AuthorId, a.AuthorDisplayName, a.PageNumber, a.AnnotationType,
        JsonDocument.Parse(a.Content).RootElement.Clone(), a.CreatedAt, a.UpdatedAt);
}
