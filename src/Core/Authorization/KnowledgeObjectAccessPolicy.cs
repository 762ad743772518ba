using TeacherPlatform.Core.Identity;
using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Core.Storage;

namespace TeacherPlatform.Core.Authorization;

/// <summary>
/// Upload/download URLs for knowledge files are honoured only while the URL's user may still manage the document
/// (<see cref="KnowledgeAccess.MayManage"/>: the owner, or an administrator — the same rule the knowledge service applies).
/// Keys that are not knowledge files are left to the other policies.
/// </summary>
public sealed class KnowledgeObjectAccessPolicy(KnowledgeDocumentStore documents, UserStore users) : IObjectAccessPolicy
{
    public const string KeyPrefix = "knowledge/";

    public Task<bool> CanReadAsync(string key, Guid userId, CancellationToken ct) => CheckAsync(key, userId, ct);
    public Task<bool> CanWriteAsync(string key, Guid userId, CancellationToken ct) => CheckAsync(key, userId, ct);

    private async Task<bool> CheckAsync(string key, Guid userId, CancellationToken ct)
    {
        if (!key.StartsWith(KeyPrefix, StringComparison.Ordinal)) return true; // not ours
        var parts = key.Split('/');
        if (parts.Length < 3 || !Guid.TryParse(parts[1], out var id)) return false;
        var doc = await documents.GetAsync(id, ct);
        if (doc is null) return false;
        if (doc.OwnerId == userId) return true;
        // Only a non-owner costs the role lookup (one after the other: never two connections at once per request).
        var user = await users.FindByIdAsync(userId, ct);
        return user is not null && KnowledgeAccess.MayManage(doc, user.Id, user.Role);
    }
}
