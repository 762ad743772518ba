using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;

namespace TeacherPlatform.Ingestion.Extraction.Pdf;

/// <summary>PdfPig options that hold a parse to an <see cref="ExtractionBudget"/>, for every reader of untrusted PDFs.</summary>
public static class PdfParsing
{
    /// <summary>
    /// Every stream PdfPig decodes (content, fonts, object streams) is charged to the budget as it is inflated, and
    /// nesting (arrays, dictionaries, forms) is capped by PdfPig's own depth guard.
    /// </summary>
    public static ParsingOptions Budgeted(ExtractionBudget budget) =>
        new() { FilterProvider = new BudgetedFilterProvider(budget), MaxStackDepth = budget.Limits.MaxNestingDepth };

    /// <summary>
    /// The limit a failed parse ran into, or null when the PDF is simply unreadable: the budget's own record (PdfPig may
    /// wrap or swallow what the budget threw), or PdfPig's depth guard, which fires before any budget check.
    /// </summary>
    public static ExtractionException? LimitExceeded(ExtractionBudget budget, Exception failure) =>
        budget.ExceededLimit
        ?? failure as ExtractionException ?? failure.InnerException as ExtractionException
        ?? (failure is PdfDocumentStackDepthException || failure.InnerException is PdfDocumentStackDepthException
            ? ExtractionBudget.Exceeded($"The PDF nests objects deeper than {budget.Limits.MaxNestingDepth} levels.")
            : null);
}
