using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using TeacherPlatform.Ai.Connectors;
using TeacherPlatform.Ai.Retrieval;

namespace TeacherPlatform.Ai.Rag;

/// <summary>
/// Turns a follow-up ("and for the left hand?") into a standalone search query. With a language model configured it
/// asks the model (short, bounded); otherwise, or if the model fails, it carries the previous question's key terms over.
/// </summary>
public sealed class QueryRewriter(IChatClient chat, ChatConnectorInfo connector, PromptLibrary prompts, ILogger<QueryRewriter> logger)
{
    private static readonly HashSet<string> Referring = new(StringComparer.OrdinalIgnoreCase)
    {
        "it", "its", "that", "this", "these", "those", "them", "they", "there", "one", "ones", "same", "also", "else", "more", "again", "then",
    };

    public async Task<string> RewriteAsync(string question, IReadOnlyList<ChatTurn> history, CancellationToken ct)
    {
        var previous = history.LastOrDefault(t => t.Role == "user")?.Content;
        if (previous is null) return question;
        if (!connector.IsExtractive)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(8));
                var turns = string.Join("\n", history.TakeLast(4).Select(t => $"{t.Role}: {Truncate(t.Content, 400)}"));
                var prompt = PromptLibrary.Fill(prompts.Rewrite, new Dictionary<string, string> { ["turns"] = turns, ["question"] = question });
                var response = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, prompt)],
                    new ChatOptions { MaxOutputTokens = 60, Temperature = 0 }, timeout.Token);
                var text = response.Text.Trim().Trim('"').Split('\n')[0].Trim();
                if (text.Length is > 2 and < 400) return text;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Query rewrite by the language model failed; using the heuristic");
            }
        }
        return Heuristic(question, previous);
    }

    /// <summary>Short or referring follow-ups inherit the previous question's content terms.</summary>
    public static string Heuristic(string question, string previous)
    {
        var terms = KeywordQuery.Terms(question);
        var words = question.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(w => w.Trim('?', '.', ',', '!')).ToList();
        var isFollowUp = terms.Count <= 3 || words.Any(Referring.Contains) || question.TrimStart().StartsWith("and ", StringComparison.OrdinalIgnoreCase)
            || question.TrimStart().StartsWith("what about", StringComparison.OrdinalIgnoreCase) || question.TrimStart().StartsWith("how about", StringComparison.OrdinalIgnoreCase);
        if (!isFollowUp) return question;
        var carried = KeywordQuery.Terms(previous).Where(t => !terms.Contains(t)).ToList();
        return carried.Count == 0 ? question : $"{question.TrimEnd()} ({string.Join(' ', carried)})";
    }

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..n] + "…";
}
