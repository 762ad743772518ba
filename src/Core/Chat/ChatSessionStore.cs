using Dapper;
using TeacherPlatform.Core.Common;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Core.Chat;

public sealed class ChatSession
{
    public Guid Id { get; init; }
    public Guid UserId { get; init; }
    public string Title { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed class ChatMessageRow
{
    public Guid Id { get; init; }
    public Guid SessionId { get; init; }
    public string Role { get; init; } = "";
    public string Content { get; init; } = "";
    /// <summary>JSON array of the sources the answer cited (assistant messages).</summary>
    public string? Sources { get; init; }
    public string? Confidence { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Chat sessions and their messages; every read is scoped to the owner.</summary>
public sealed class ChatSessionStore(Db db, TimeProvider clock)
{
    public async Task<ChatSession> CreateAsync(Guid userId, string title, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var session = new ChatSession { Id = Guid.CreateVersion7(now), UserId = userId, Title = title, CreatedAt = now, UpdatedAt = now };
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriterTurnAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO chat_sessions (id, user_id, title, created_at, updated_at) VALUES (@Id, @UserId, @Title, @CreatedAt, @UpdatedAt)", session, cancellationToken: ct));
        return session;
    }

    public async Task<ChatSession?> GetOwnedAsync(Guid id, Guid userId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<ChatSession>(new CommandDefinition(
            "SELECT id, user_id, title, created_at, updated_at FROM chat_sessions WHERE id = @id AND user_id = @userId", new { id, userId }, cancellationToken: ct));
    }

    public async Task<PagedList<ChatSession>> ListAsync(Guid userId, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM chat_sessions WHERE user_id = @userId", new { userId }, cancellationToken: ct));
        var items = await c.QueryAsync<ChatSession>(new CommandDefinition(
            "SELECT id, user_id, title, created_at, updated_at FROM chat_sessions WHERE user_id = @userId ORDER BY updated_at DESC, id DESC LIMIT @PageSize OFFSET @Offset",
            new { userId, page.PageSize, page.Offset }, cancellationToken: ct));
        return new PagedList<ChatSession>(items.ToList(), page.Page, page.PageSize, total);
    }

    public async Task<IReadOnlyList<ChatMessageRow>> MessagesAsync(Guid sessionId, int? lastN, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var sql = lastN is { } n
            ? "SELECT * FROM (SELECT id, session_id, role, content, sources, confidence, created_at FROM chat_messages WHERE session_id = @sessionId ORDER BY created_at DESC, id DESC LIMIT @n) m ORDER BY created_at, id"
            : "SELECT id, session_id, role, content, sources, confidence, created_at FROM chat_messages WHERE session_id = @sessionId ORDER BY created_at, id";
        return (await c.QueryAsync<ChatMessageRow>(new CommandDefinition(sql, new { sessionId, n = lastN ?? 0 }, cancellationToken: ct))).ToList();
    }

    /// <summary>Stores a question and its answer together (one transaction); returns the assistant message id.</summary>
    public async Task<Guid> AppendExchangeAsync(Guid sessionId, string question, string answer, string sourcesJson, string confidence, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var userMessage = Guid.CreateVersion7(now);
        var assistantMessage = Guid.CreateVersion7(now.AddTicks(1));
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriterTurnAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO chat_messages (id, session_id, role, content, sources, confidence, created_at) VALUES (@userMessage, @sessionId, 'user', @question, NULL, NULL, @now)",
            new { userMessage, sessionId, question, now }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO chat_messages (id, session_id, role, content, sources, confidence, created_at) VALUES (@assistantMessage, @sessionId, 'assistant', @answer, @sourcesJson, @confidence, @later)",
            new { assistantMessage, sessionId, answer, sourcesJson, confidence, later = now.AddTicks(10) }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("UPDATE chat_sessions SET updated_at = @now WHERE id = @sessionId", new { now, sessionId }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return assistantMessage;
    }

    public async Task<bool> DeleteAsync(Guid id, Guid userId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("DELETE FROM chat_sessions WHERE id = @id AND user_id = @userId", new { id, userId }, cancellationToken: ct)) == 1;
    }
}
