using TeacherPlatform.Core.Errors;

namespace TeacherPlatform.Core.Common;

/// <summary>The list envelope every paginated endpoint answers with.</summary>
public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

/// <summary>Validated paging parameters (page ≥ 1, 1 ≤ page_size ≤ 100).</summary>
public readonly record struct PageRequest(int Page, int PageSize)
{
    public int Offset => (Page - 1) * PageSize;

    public static PageRequest From(int? page, int? pageSize)
    {
        var v = new Validator();
        v.Range("page", page, 1, 1_000_000).Range("page_size", pageSize, 1, 100);
        v.ThrowIfInvalid();
        return new PageRequest(page ?? 1, pageSize ?? 20);
    }
}
