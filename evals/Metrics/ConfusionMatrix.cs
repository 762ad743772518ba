namespace TeacherPlatform.Evals.Metrics;

/// <summary>Binary confusion matrix: "positive" = predicted LOW confidence; "actual" = question not covered by the corpus.</summary>
public sealed record ConfusionMatrix(int TruePositive, int FalsePositive, int FalseNegative, int TrueNegative)
{
    public int Total => TruePositive + FalsePositive + FalseNegative + TrueNegative;
    public double Accuracy => Total == 0 ? 0 : (double)(TruePositive + TrueNegative) / Total;
    public double Precision => TruePositive + FalsePositive == 0 ? 0 : (double)TruePositive / (TruePositive + FalsePositive);
    public double Recall => TruePositive + FalseNegative == 0 ? 0 : (double)TruePositive / (TruePositive + FalseNegative);
    /// <summary>True when LOW was given exactly for the uncovered questions.</summary>
    public bool Exact => FalsePositive == 0 && FalseNegative == 0;

    public static ConfusionMatrix From(IEnumerable<(bool Predicted, bool Actual)> pairs)
    {
        int tp = 0, fp = 0, fn = 0, tn = 0;
        foreach (var (p, a) in pairs)
        {
            if (p && a) tp++; else if (p) fp++; else if (a) fn++; else tn++;
        }
        return new ConfusionMatrix(tp, fp, fn, tn);
    }
}
