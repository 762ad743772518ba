using System.Numerics.Tensors;

namespace TeacherPlatform.Ai.Embeddings;

internal static class VectorMath
{
    /// <summary>Scales <paramref name="vector"/> to unit length in place (zero vectors are left as they are).</summary>
    public static void NormalizeInPlace(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0f) TensorPrimitives.Divide(vector, norm, vector);
    }

    public static float[] Normalized(ReadOnlySpan<float> vector)
    {
        var copy = vector.ToArray();
        NormalizeInPlace(copy);
        return copy;
    }
}
