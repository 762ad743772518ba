using System.Numerics.Tensors;

namespace TeacherPlatform.Evals.Datasets;

/// <summary>
/// Synthetic corpus for ANN evaluation: <c>clusters</c> random unit centres, each point a centre plus isotropic
/// Gaussian noise (σ per dimension), L2-normalised. Queries are drawn the same way, so they fall between points the way
/// real questions fall between passages. Deterministic for a seed.
/// </summary>
public sealed class GaussianMixture(int dimensions, int clusters, double sigma, int seed)
{
    private readonly Random _rng = new(seed);
    private float[][]? _centres;

    public float[] Next()
    {
        _centres ??= Enumerable.Range(0, clusters).Select(_ => Normalized(Gaussian(dimensions, 1.0))).ToArray();
        var c = _centres[_rng.Next(clusters)];
        var v = Gaussian(dimensions, sigma);
        for (var i = 0; i < v.Length; i++) v[i] += c[i];
        return Normalized(v);
    }

    public float[][] Take(int n) => Enumerable.Range(0, n).Select(_ => Next()).ToArray();

    private float[] Gaussian(int n, double s)
    {
        var v = new float[n];
        for (var i = 0; i < n; i++)
        {
            // Box-Muller
            var u1 = 1.0 - _rng.NextDouble();
            var u2 = _rng.NextDouble();
            v[i] = (float)(s * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return v;
    }

    public static float[] Normalized(float[] v)
    {
        var norm = TensorPrimitives.Norm(v);
        if (norm > 0) TensorPrimitives.Divide(v, norm, v);
        return v;
    }
}
