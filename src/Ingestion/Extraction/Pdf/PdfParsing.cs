using UglyToad.PdfPig;

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
}
