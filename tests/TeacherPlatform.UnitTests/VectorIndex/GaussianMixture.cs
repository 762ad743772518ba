using System.Numerics.Tensors;

namespace TeacherPlatform.UnitTests.VectorIndex;

/// <summary>Deterministic clustered unit vectors: random unit centres plus isotropic Gaussian noise, re-normalised.</summary>
internal sealed class GaussianMixture
{
    private readonly Random _random;
    private readonly float[][] _centres;
    private readonly float _sigma;

    public GaussianMixture(int seed, int dimensions, int clusters, float sigma)
    {
        _random = new Random(seed);
        _sigma = sigma;
        Dimensions = dimensions;
        _centres = new float[clusters][];
        for (var c = 0; c < clusters; c++)
        {
            _centres[c] = new float[dimensions];
            for (var d = 0; d < dimensions; d++) _centres[c][d] = Gaussian();
            Normalize(_centres[c]);
        }
    }

    public int Dimensions { get; }

    public float[] Next()
    {
        var centre = _centres[_random.Next(_centres.Length)];
        var v = new float[Dimensions];
        for (var d = 0; d < Dimensions; d++) v[d] = centre[d] + _sigma * Gaussian();
        Normalize(v);
        return v;
    }

    public float[][] Next(int count) => Enumerable.Range(0, count).Select(_ => Next()).ToArray();

    private float Gaussian()
    {
        // Box–Muller.
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    private static void Normalize(float[] v) => TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
}
