using TeacherPlatform.Ai.Retrieval;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Authorization;
using TeacherPlatform.Core.Common;
using TeacherPlatform.Core.Errors;
using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Core.Storage;
using TeacherPlatform.Ingestion.Jobs;

namespace TeacherPlatform.Api.Features.Knowledge;

/// <summary>Knowledge documents: create with an upload URL, list/get under the visibility rule, process, delete.</summary>
public sealed class KnowledgeService(
    KnowledgeDocumentStore documents, IObjectStorage storage, IngestionJobQueue jobs, IKnowledgeIndex index,
    StorageDeletionOutbox deletions)
{
    private static readonly TimeSpan UploadLifetime = TimeSpan.FromHours(1);

    public async Task<CreateKnowledgeResponse> CreateAsync(Caller caller, CreateKnowledgeRequest request, CancellationToken ct)
    {
        var v = new Validator();
        v.Name("title", request.Title, 200);
        v.OneOf("source_type", request.SourceType, SourceTypes.All);
        var type = request.SourceType;
        var needsUpload = type != SourceTypes.Web || string.IsNullOrWhiteSpace(request.SourceUrl);
        if (request.SourceUrl is not null)
        {
            if (type != SourceTypes.Web) v.Add("source_url", "'source_url' is only for source_type 'web'.");
            else if (request.SourceUrl.Length > 2048 || !Uri.TryCreate(request.SourceUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                v.Add("source_url", "'source_url' must be an absolute http(s) URL.");
            if (request.Filename is not null) v.Add("filename", "Give either 'source_url' or 'filename', not both.");
        }
        if (needsUpload && type is not null && KnowledgeFiles.ExtensionsFor(type) is { Count: > 0 } allowed)
        {
            v.Name("filename", request.Filename, 255);
            if (request.Filename is { Length: > 0 and <= 255 } name)
            {
                if (name.IndexOfAny(['/', '\\', '\0']) >= 0) v.Add("filename", "'filename' must be a plain file name.");
                else if (!allowed.Contains(Path.GetExtension(name).ToLowerInvariant()))
                    v.Add("filename", $"'filename' must end with {string.Join(" or ", allowed)} for source_type '{type}'.");
            }
        }
        v.ThrowIfInvalid();
        var isPublic = request.IsPublic ?? false;
        if (isPublic && !RoleRules.MayPublish(caller.Role))
            throw AppProblem.Forbidden("Only teachers and administrators may publish public documents.");

        var filename = needsUpload ? request.Filename : null;
        var doc = await documents.CreateAsync(caller.Id, request.Title!.Trim(), type!, isPublic, needsUpload ? null : request.SourceUrl, filename,
            id => needsUpload ? KnowledgeFiles.StorageKey(id, filename!) : null, ct);
        PresignedUrl? upload = null;
        if (doc.StorageKey is not null)
            upload = await storage.CreateUploadUrlAsync(doc.StorageKey, KnowledgeFiles.ContentTypeFor(filename!), UploadLifetime, caller.Id, ct);
        return new CreateKnowledgeResponse(KnowledgeDocumentResponse.From(doc), upload?.Url.ToString(), upload?.ExpiresAt);
    }

    public Task<PagedList<KnowledgeDocument>> ListAsync(Caller caller, string? sourceType, string? status, string? q, int? page, int? pageSize, CancellationToken ct)
    {
        var v = new Validator();
        if (sourceType is not null) v.OneOf("source_type", sourceType, SourceTypes.All);
        if (status is not null) v.OneOf("status", status, DocumentStatus.All);
        v.Optional("q", q, 200);
        v.ThrowIfInvalid();
        return documents.ListVisibleAsync(caller.Id, new DocumentFilter(sourceType, status, q), PageRequest.From(page, pageSize), ct);
    }

    public async Task<KnowledgeDocument> GetVisibleAsync(Caller caller, Guid id, CancellationToken ct) =>
        await documents.GetVisibleAsync(id, caller.Id, ct) ?? throw AppProblem.NotFound("Document");

    /// <summary>
    /// <see cref="KnowledgeAccess.MayManage"/> (the owner, or an administrator) changes a document; others who can see it
    /// get 403, the rest 404. The signed-URL policy for the document's file applies the same rule.
    /// </summary>
    private async Task<KnowledgeDocument> GetManageableAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var doc = caller.IsAdmin ? await documents.GetAsync(id, ct) : await documents.GetVisibleAsync(id, caller.Id, ct);
        if (doc is null) throw AppProblem.NotFound("Document");
        if (!KnowledgeAccess.MayManage(doc, caller.Id, caller.Role)) throw AppProblem.Forbidden("Only the owner may change this document.");
        return doc;
    }

    public async Task<KnowledgeDocument> ProcessAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var doc = await GetManageableAsync(caller, id, ct);
        if (doc.StorageKey is not null && await storage.HeadAsync(doc.StorageKey, ct) is null)
            throw new AppProblem(409, "upload_missing", "Conflict", "Upload the file to upload_url before processing.");
        await jobs.EnqueueAsync(doc.Id, ct);
        return (await documents.GetAsync(doc.Id, ct))!;
    }

    public async Task DeleteAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var doc = await GetManageableAsync(caller, id, ct);
        // Rows first (chunks and jobs cascade, a running job loses its lease and stops) with the file queued in the
        // same transaction; then the file goes now, or on the cleanup job's retry.
        var (deleted, file) = await documents.DeleteAsync(doc.Id, ct);
        if (!deleted) throw AppProblem.NotFound("Document"); // a concurrent delete won: one 204, the rest 404
        index.ForgetDocument(doc.Id);
        if (file is not null) await deletions.TryDeleteAsync(file, CancellationToken.None);
    }
}
