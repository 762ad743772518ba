using Microsoft.Extensions.Options;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Authorization;
using TeacherPlatform.Core.Common;
using TeacherPlatform.Core.Errors;
using TeacherPlatform.Core.Identity;
using TeacherPlatform.Core.Projects;
using TeacherPlatform.Core.Storage;
using TeacherPlatform.Ingestion.Extraction;
using TeacherPlatform.Ingestion.Extraction.Pdf;

namespace TeacherPlatform.Api.Features.Projects;

/// <summary>
/// The projects use cases. Every one starts with <see cref="RequireAsync"/>: a caller who may not see the project gets 404
/// (they learn nothing), a caller who sees it without enough permission gets 403.
/// </summary>
public sealed class ProjectService(
    ProjectStore projects, ProjectAccessStore grants, UserStore users, RelationshipStore relationships, IObjectStorage storage,
    StorageDeletionOutbox deletions, IOptions<StorageOptions> storageOptions, IOptions<ProjectOptions> options, IOptions<ExtractionLimits> pdfLimits,
    ILogger<ProjectService> logger)
{
    public const string PdfContentType = "application/pdf";
    private const int SpoolBufferSize = 81920;

    public async Task<ProjectWithAccess> RequireAsync(Guid id, Caller caller, ProjectAccessLevel needed, CancellationToken ct, string what = "Project")
    {
        var access = await projects.GetForViewerAsync(id, caller.Id, caller.IsAdmin, ct) ?? throw AppProblem.NotFound(what);
        if (access.Level < needed)
            throw AppProblem.Forbidden(needed switch
            {
                ProjectAccessLevel.Owner => "Only the project's owner can do this.",
                ProjectAccessLevel.Admin => "This needs admin permission on the project.",
                _ => "This needs edit permission on the project.",
            });
        return access;
    }

    public async Task<CreateProjectResponse> CreateAsync(CreateProjectRequest request, Caller caller, CancellationToken ct)
    {
        // The role rule is the endpoint's TeacherOrAdmin policy; checked again for callers other than the endpoint.
        if (!RoleRules.MayCreateProjects(caller.Role)) throw AppProblem.Forbidden("Only teachers can create projects.");
        var v = new Validator();
        v.Name("title", request.Title, 200).Optional("description", request.Description, 4000).Name("filename", request.Filename, 255);
        if (request.Filename is { } f && f.Any(c => c is '/' or '\\' or '"'))
            v.Add("filename", "'filename' must be a plain file name (no path separators or quotes).");
        v.ThrowIfInvalid();

        var lifetime = options.Value.UploadUrlLifetime;
        var project = await projects.CreateAsync(caller.Id, request.Title!.Trim(), Blank(request.Description), request.Filename!.Trim(), lifetime, ct);
        var upload = await storage.CreateUploadUrlAsync(project.StorageKey, PdfContentType, lifetime, caller.Id, ct);
        return new CreateProjectResponse(ProjectResponse.From(new(project, ProjectAccessLevel.Owner), caller.Id), upload.Url.ToString(),
            upload.ExpiresAt, "PUT", new Dictionary<string, string> { ["Content-Type"] = PdfContentType });
    }

    /// <summary>
    /// Verifies the uploaded object (exists, within the size limit, starts with <c>%PDF-</c>, parses) and records the size and
    /// page count read from it. Idempotent: a ready project is returned as is.
    /// </summary>
    public async Task<ProjectResponse> ConfirmAsync(Guid id, Caller caller, CancellationToken ct)
    {
        var access = await RequireAsync(id, caller, ProjectAccessLevel.Owner, ct);
        var project = access.Project;
        if (project.IsReady) return ProjectResponse.From(access, caller.Id);

        var key = project.StorageKey;
        var limit = storageOptions.Value.MaxUploadBytes;
        var info = await storage.HeadAsync(key, ct)
            ?? throw AppProblem.Conflict("No file has been uploaded yet: PUT the PDF to upload_url first.");
        if (info.Size > limit)
        {
            await storage.DeleteAsync(key, CancellationToken.None);
            throw AppProblem.PayloadTooLarge($"The file is {info.Size} bytes; the limit is {limit} bytes. Upload a smaller file.");
        }

        if (info.Size < PdfInspector.Magic.Length || !await StartsWithPdfMagicAsync(key, ct))
            throw AppProblem.UnsupportedMediaType("The uploaded file is not a PDF (it does not start with %PDF-).");

        // PdfPig needs a seekable stream: spool to a temp file (never to memory), counting bytes as they come.
        var spoolPath = Path.Combine(Path.GetTempPath(), $"tp-confirm-{Guid.NewGuid():N}.pdf");
        await using var spool = new FileStream(spoolPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, SpoolBufferSize,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        try
        {
            await using var source = await storage.OpenReadAsync(key, 0, null, ct);
            await using var limited = new SizeLimitedReadStream(source, limit);
            await limited.CopyToAsync(spool, SpoolBufferSize, ct);
        }
        catch (ObjectTooLargeException)
        {
            await storage.DeleteAsync(key, CancellationToken.None);
            throw AppProblem.PayloadTooLarge($"The file exceeds the limit of {limit} bytes. Upload a smaller file.");
        }
        catch (FileNotFoundException)
        {
            throw AppProblem.Conflict("No file has been uploaded yet: PUT the PDF to upload_url first.");
        }

        spool.Position = 0;
        // The knowledge base's extraction limits hold here too: a small upload can inflate to gigabytes (compressed
        // streams) or list hundreds of thousands of pages.
        var budget = new ExtractionBudget(pdfLimits.Value, ct);
        PdfFacts facts;
        try
        {
            facts = PdfInspector.Inspect(spool, PdfParsing.Budgeted(budget), budget.CheckPages, budget.Checkpoint);
            budget.ThrowIfExceeded();
        }
        catch (Exception ex) when (ex is CorruptPdfException or ExtractionException)
        {
            var exceeded = PdfParsing.LimitExceeded(budget, ex);
            logger.LogInformation("Project {ProjectId} upload rejected: {Reason}", id, exceeded?.Message ?? ex.Message);
            if (exceeded is not null)
                throw AppProblem.Unprocessable(ExtractionErrorCodes.ResourceLimitsExceeded, $"{exceeded.Message} Upload a simpler PDF.");
            throw AppProblem.Unprocessable("corrupt_pdf", "The file starts like a PDF but cannot be read (truncated or corrupt). Upload it again.");
        }

        if (!await projects.MarkReadyAsync(id, spool.Length, facts.PageCount, ct))
        {
            // Confirmed concurrently (fine: idempotent) or deleted meanwhile.
            access = await RequireAsync(id, caller, ProjectAccessLevel.Owner, ct);
            return ProjectResponse.From(access, caller.Id);
        }

        return ProjectResponse.From(await RequireAsync(id, caller, ProjectAccessLevel.Owner, ct), caller.Id);
    }

    public async Task<ProjectResponse> GetAsync(Guid id, Caller caller, CancellationToken ct)
    {
        var access = await RequireAsync(id, caller, ProjectAccessLevel.View, ct);
        if (!access.Project.IsReady) return ProjectResponse.From(access, caller.Id);
        var url = await storage.CreateDownloadUrlAsync(access.Project.StorageKey, access.Project.Filename, options.Value.DownloadUrlLifetime, caller.Id, ct);
        return ProjectResponse.From(access, caller.Id, url.Url.ToString(), url.ExpiresAt);
    }

    /// <summary>The stored file of a confirmed project the caller may view, with its size and ETag.</summary>
    public async Task<(Project Project, ObjectInfo Info)> GetFileAsync(Guid id, Caller caller, CancellationToken ct)
    {
        var project = (await RequireAsync(id, caller, ProjectAccessLevel.View, ct)).Project;
        if (!project.IsReady) throw AppProblem.Conflict("The project's file has not been confirmed yet.");
        var info = await storage.HeadAsync(project.StorageKey, ct);
        if (info is null)
        {
            logger.LogError("Project {ProjectId} is ready but its object {Key} is missing", id, project.StorageKey);
            throw AppProblem.NotFound("Project file");
        }
        return (project, info);
    }

    public async Task<PagedList<ProjectResponse>> ListAsync(Caller caller, string? q, Guid? ownerId, int? page, int? pageSize, CancellationToken ct)
    {
        var paging = PageRequest.From(page, pageSize);
        new Validator().Optional("q", q, 200).ThrowIfInvalid();
        var list = await projects.ListForViewerAsync(caller.Id, caller.IsAdmin, new ProjectFilter(q, ownerId), paging, ct);
        return new PagedList<ProjectResponse>(list.Items.Select(a => ProjectResponse.From(a, caller.Id)).ToList(), list.Page, list.PageSize, list.Total);
    }

    public async Task<ProjectResponse> UpdateAsync(Guid id, UpdateProjectRequest request, Caller caller, CancellationToken ct)
    {
        var access = await RequireAsync(id, caller, ProjectAccessLevel.Admin, ct);
        var v = new Validator();
        if (request.Title is not null) v.Name("title", request.Title, 200);
        v.Optional("description", request.Description, 4000).ThrowIfInvalid();
        var title = request.Title?.Trim() ?? access.Project.Title;
        var description = request.Description is null ? access.Project.Description : Blank(request.Description);
        await projects.UpdateAsync(id, title, description, ct);
        return await GetAsync(id, caller, ct);
    }

    /// <summary>Removes the rows and queues the file in one transaction, then deletes the file (retried later on failure).</summary>
    public async Task DeleteAsync(Guid id, Caller caller, CancellationToken ct)
    {
        await RequireAsync(id, caller, ProjectAccessLevel.Owner, ct);
        var deletion = await projects.DeleteAsync(id, onlyIfPendingBefore: null, ct) ?? throw AppProblem.NotFound("Project");
        // The rows are gone whatever happens now; the file follows now or on the cleanup job's retry.
        await deletions.TryDeleteAsync(deletion, CancellationToken.None);
    }

    public async Task<(ProjectGrantResponse Grant, bool Created)> GrantAsync(Guid id, GrantAccessRequest request, Caller caller, CancellationToken ct)
    {
        var access = await RequireAsync(id, caller, ProjectAccessLevel.Admin, ct);
        var v = new Validator();
        if (request.UserId is null) v.Add("user_id", "'user_id' is required.");
        v.OneOf("permission", request.Permission, ProjectPermissions.All).ThrowIfInvalid();

        if (request.UserId == access.Project.OwnerId) throw AppProblem.Validation("user_id", "The owner already has full access.");
        if (request.UserId == caller.Id) throw AppProblem.Validation("user_id", "You cannot change your own access.");
        // SPEC: a teacher may grant only to users they have a relationship with, i.e. the owner's students (a grant counts
        // while that link lasts); platform admins to anyone. Anyone else is "not found", like an unknown id: the answer
        // (and the grant's user, email included) must not disclose an account the granter has no link to.
        var target = await users.FindByIdAsync(request.UserId!.Value, ct);
        if (target is null || !(caller.IsAdmin || await relationships.ExistsAsync(access.Project.OwnerId, target.Id, ct)))
            throw AppProblem.NotFound("User");

        var (grant, created) = await grants.UpsertAsync(id, target.Id, request.Permission!, caller.Id, ct);
        return (ProjectGrantResponse.From(grant), created);
    }

    public async Task<PagedList<ProjectGrantResponse>> ListAccessAsync(Guid id, Caller caller, int? page, int? pageSize, CancellationToken ct)
    {
        await RequireAsync(id, caller, ProjectAccessLevel.Admin, ct);
        var list = await grants.ListAsync(id, PageRequest.From(page, pageSize), ct);
        return new PagedList<ProjectGrantResponse>(list.Items.Select(ProjectGrantResponse.From).ToList(), list.Page, list.PageSize, list.Total);
    }

    /// <summary>Admins revoke anyone's grant; any grantee may also give up their own.</summary>
    public async Task RevokeAsync(Guid id, Guid userId, Caller caller, CancellationToken ct)
    {
        await RequireAsync(id, caller, userId == caller.Id ? ProjectAccessLevel.View : ProjectAccessLevel.Admin, ct);
        if (!await grants.RevokeAsync(id, userId, ct)) throw AppProblem.NotFound("Grant");
    }

    private async Task<bool> StartsWithPdfMagicAsync(string key, CancellationToken ct)
    {
        var magic = PdfInspector.Magic.ToArray();
        var buffer = new byte[magic.Length];
        await using var head = await storage.OpenReadAsync(key, 0, buffer.Length, ct);
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await head.ReadAsync(buffer.AsMemory(read), ct)) > 0) read += n;
        return read == buffer.Length && buffer.AsSpan().SequenceEqual(magic);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
