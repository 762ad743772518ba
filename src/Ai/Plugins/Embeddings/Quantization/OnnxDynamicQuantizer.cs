using System.Runtime.InteropServices;

namespace TeacherPlatform.Ai.Embeddings.Quantization;

public sealed record OnnxNodeInfo(string OpType, string Domain, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);
/// <summary>An initializer: name, ONNX data type (1 float, 3 int8) and shape.</summary>
public sealed record OnnxTensorInfo(string Name, int DataType, IReadOnlyList<long> Dims);
public sealed record OnnxGraphInfo(IReadOnlyList<OnnxNodeInfo> Nodes, IReadOnlyList<OnnxTensorInfo> Initializers, IReadOnlyList<string> OpsetDomains);

/// <summary>What <see cref="OnnxDynamicQuantizer.Quantize"/> changed.</summary>
public sealed record QuantizationSummary(int MatMulsQuantized, int MatMulsKept, long FloatWeightBytes, long QuantizedWeightBytes, int ActivationsSmoothed = 0);

/// <summary>SmoothQuant settings for <see cref="OnnxDynamicQuantizer.Quantize(ReadOnlyMemory{byte}, SmoothingOptions?, out QuantizationSummary)"/>.</summary>
/// <param name="ActivationMaxima">max |x| per input channel (last dimension) of each weight MatMul's activation input, by tensor name, measured on the float model.</param>
/// <param name="Alpha">How much of the activation range moves into the weights (0.5: balanced).</param>
/// <param name="QuantizeWeights">false writes the smoothed float graph (same function as the source; for checks).</param>
public sealed record SmoothingOptions(IReadOnlyDictionary<string, float[]> ActivationMaxima, float Alpha = 0.5f, bool QuantizeWeights = true);

/// <summary>
/// Dynamic int8 quantisation of an ONNX model, as ONNX Runtime's Python <c>quantize_dynamic</c> does it, in C# (no Python
/// here): every MatMul whose B input is a constant float matrix becomes <c>com.microsoft.DynamicQuantizeMatMul</c> — the op
/// ORT's CPU provider fuses DynamicQuantizeLinear → MatMulInteger → Cast → Mul into — with the weights stored as int8
/// (symmetric, zero point 0, one scale per output column) and the activations quantised to uint8 per call. MatMuls
/// between activations (attention scores) stay float. Deterministic: the same source bytes give the same output bytes.
/// </summary>
public static class OnnxDynamicQuantizer
{
    /// <summary>Written into the model's metadata. A change that alters the vectors must also change <see cref="LocalArcticEmbeddingModel.Int8Id"/>,
    /// which is what an index records.</summary>
    public const int Version = 2;
    public const string MicrosoftDomain = "com.microsoft";
    public const string QuantizedOp = "DynamicQuantizeMatMul";

    // onnx.proto field numbers.
    private const int ModelGraph = 7, ModelOpsetImport = 8, ModelMetadataProps = 14;
    private const int OpsetDomain = 1, OpsetVersion = 2;
    private const int GraphNode = 1, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeDomain = 7;
    private const int TensorDims = 1, TensorDataType = 2, TensorFloatData = 4, TensorName = 8, TensorRawData = 9, TensorDataLocation = 14;
    private const int ValueInfoName = 1, EntryKey = 1, EntryValue = 2;
    private const int FloatType = 1, Int8Type = 3;

    public static byte[] Quantize(ReadOnlyMemory<byte> model, out QuantizationSummary summary) => Quantize(model, null, out summary);

    /// <summary>
    /// Quantises every weight MatMul; with <paramref name="smoothing"/>, first moves each input channel's activation range
    /// into the weights (SmoothQuant): per channel j of a MatMul's activation input, s_j = max|X_j|^α / max|W_j|^(1−α),
    /// the activation is multiplied by 1/s (one inserted <c>Mul</c> per activation tensor, shared by the MatMuls that read it)
    /// and row j of each weight by s. The float product is unchanged; what changes is that the activation, quantised with one
    /// scale for the whole tensor, no longer has a few outlier channels that leave every other channel a handful of levels.
    /// </summary>
    public static byte[] Quantize(ReadOnlyMemory<byte> model, SmoothingOptions? smoothing, out QuantizationSummary summary)
    {
        var g = ParsedGraph.Parse(model);
        var quantizable = g.WeightMatMuls();
        var uses = g.Nodes.SelectMany(n => n.Inputs).GroupBy(i => i).ToDictionary(grp => grp.Key, grp => grp.Count());
        var quantizedUses = quantizable.GroupBy(n => n.Inputs[1]).ToDictionary(grp => grp.Key, grp => grp.Count());
        var quantizeWeights = smoothing?.QuantizeWeights ?? true;

        // Smoothing factors per activation tensor, from every weight that reads it (Q, K and V share one input).
        var factors = new Dictionary<string, float[]>();
        if (smoothing is not null)
            foreach (var group in quantizable.GroupBy(n => n.Inputs[0]))
            {
                if (!smoothing.ActivationMaxima.TryGetValue(group.Key, out var xMax)) continue;
                var wMax = new float[xMax.Length];
                foreach (var weight in group.Select(n => n.Inputs[1]).Distinct())
                {
                    var dims = ProtoWire.Int64s(g.Initializers[weight], TensorDims);
                    if (dims[0] != xMax.Length) throw new InvalidDataException($"Activation maxima of '{group.Key}' have {xMax.Length} channels, weight '{weight}' {dims[0]} rows.");
                    var w = ReadFloats(g.Initializers[weight]);
                    var cols = (int)dims[1];
                    for (var r = 0; r < wMax.Length; r++)
                        for (var c = 0; c < cols; c++) wMax[r] = MathF.Max(wMax[r], MathF.Abs(w[r * cols + c]));
                }
                factors[group.Key] = SmoothingFactors(xMax, wMax, smoothing.Alpha);
            }
        if (factors.Count > 0 && quantizedUses.Keys.Any(w => quantizable.Where(n => n.Inputs[1] == w).Select(n => factors.ContainsKey(n.Inputs[0])).Distinct().Count() > 1))
            throw new InvalidDataException("A weight shared by smoothed and unsmoothed MatMuls cannot be smoothed.");

        var newInitializers = new List<ProtoWriter>();
        long floatBytes = 0, quantizedBytes = 0;
        foreach (var weight in quantizedUses.Keys)
        {
            var tensor = g.Initializers[weight];
            var dims = ProtoWire.Int64s(tensor, TensorDims);
            var w = ReadFloats(tensor);
            var (rows, cols) = (checked((int)dims[0]), checked((int)dims[1]));
            var input = quantizable.First(n => n.Inputs[1] == weight).Inputs[0];
            if (factors.TryGetValue(input, out var s))
                for (var r = 0; r < rows; r++)
                    for (var c = 0; c < cols; c++) w[r * cols + c] *= s[r];
            if (quantizeWeights)
            {
                var (q, scales) = QuantizeColumns(w, rows, cols);
                newInitializers.Add(Tensor(weight + "_quantized", Int8Type, dims, MemoryMarshal.AsBytes(q.AsSpan())));
                newInitializers.Add(Tensor(weight + "_scale", FloatType, [dims[1]], MemoryMarshal.AsBytes(scales.AsSpan())));
            }
            else newInitializers.Add(Tensor(weight + "_smoothed", FloatType, dims, MemoryMarshal.AsBytes(w.AsSpan())));
            floatBytes += w.Length * sizeof(float);
            quantizedBytes += quantizeWeights ? w.Length + cols * sizeof(float) : w.Length * sizeof(float);
        }
        foreach (var (input, s) in factors)
            newInitializers.Add(Tensor(input + "_smooth_inv", FloatType, [s.Length], MemoryMarshal.AsBytes(s.Select(v => 1f / v).ToArray().AsSpan())));
        // A float weight also read by something other than a quantised MatMul stays in the model.
        var dropped = quantizedUses.Where(kv => uses[kv.Key] == kv.Value).Select(kv => kv.Key).ToHashSet();

        var graph = new ProtoWriter();
        var nodeIndex = 0;
        var inserted = new HashSet<string>();
        foreach (var f in g.Fields)
        {
            if (f.Number == GraphNode)
            {
                var node = g.Nodes[nodeIndex++];
                if (!quantizable.Contains(node)) { graph.Raw(f); continue; }
                var input = node.Inputs[0];
                if (factors.ContainsKey(input))
                {
                    // Before its first reader, so the node list stays in topological order.
                    if (inserted.Add(input))
                        graph.Message(GraphNode, new ProtoWriter().String(NodeInput, input).String(NodeInput, input + "_smooth_inv")
                            .String(NodeOutput, input + "_smoothed").String(NodeName, input + "_smooth").String(NodeOpType, "Mul"));
                    input += "_smoothed";
                }
                graph.Message(GraphNode, quantizeWeights ? QuantizedNode(node, input) : SmoothedNode(node, input));
            }
            else if (f.Number == GraphInitializer)
            {
                var name = ProtoWire.Parse(f.Payload).First(x => x.Number == TensorName).AsString();
                if (!dropped.Contains(name)) graph.Raw(f);
            }
            else graph.Raw(f);
        }
        foreach (var t in newInitializers) graph.Message(GraphInitializer, t);

        var output = new ProtoWriter();
        foreach (var f in g.ModelFields)
            output = f.Number == ModelGraph ? output.Message(ModelGraph, graph) : output.Raw(f);
        var hasMicrosoftOpset = g.ModelFields.Where(f => f.Number == ModelOpsetImport)
            .Any(f => ProtoWire.Parse(f.Payload).Any(x => x.Number == OpsetDomain && x.AsString() == MicrosoftDomain));
        if (quantizeWeights && !hasMicrosoftOpset)
            output.Message(ModelOpsetImport, new ProtoWriter().String(OpsetDomain, MicrosoftDomain).Varint(OpsetVersion, 1));
        output.Message(ModelMetadataProps, new ProtoWriter().String(EntryKey, "teacherplatform.quantization")
            .String(EntryValue, (quantizeWeights ? "dynamic-int8-per-column" : "float") + (factors.Count > 0 ? $"-smoothed-a{smoothing!.Alpha:0.###}" : "") + $" v{Version}"));

        summary = new QuantizationSummary(quantizeWeights ? quantizable.Count : 0, g.Nodes.Count(n => n.OpType == "MatMul") - (quantizeWeights ? quantizable.Count : 0),
            floatBytes, quantizedBytes, factors.Count);
        return output.ToArray();
    }

    /// <summary>
    /// s_j = max|X_j|^α / max|W_j|^(1−α), rounded to a power of two: scaling by it is exact in float (the smoothed float
    /// graph computes what the original did), and a calibration maximum that differs in its last bits on another CPU gives
    /// the same factor. Channels never seen active, or with zero weights, keep 1.
    /// </summary>
    public static float[] SmoothingFactors(ReadOnlySpan<float> activationMax, ReadOnlySpan<float> weightMax, float alpha)
    {
        var s = new float[activationMax.Length];
        for (var j = 0; j < s.Length; j++)
        {
            if (activationMax[j] <= 0 || weightMax[j] <= 0) { s[j] = 1f; continue; }
            var raw = MathF.Pow(activationMax[j], alpha) / MathF.Pow(weightMax[j], 1 - alpha);
            s[j] = MathF.Pow(2, MathF.Round(MathF.Log2(raw)));
        }
        return s;
    }

    /// <summary>The activation inputs of the MatMuls <see cref="Quantize(ReadOnlyMemory{byte}, SmoothingOptions?, out QuantizationSummary)"/> would quantise.</summary>
    public static IReadOnlyList<string> WeightMatMulInputs(ReadOnlyMemory<byte> model) =>
        ParsedGraph.Parse(model).WeightMatMuls().Select(n => n.Inputs[0]).Distinct().ToList();

    /// <summary>
    /// The weight MatMul inputs that are LayerNorm outputs (a <c>LayerNormalization</c> node, or the exported form
    /// <c>Add(Mul(x, γ), β)</c> with 1-D constant γ and β): where SmoothQuant applies (inputs of Q/K/V and of the FFN's first
    /// projection). Their outlier channels come from γ and are systematic; the FFN's GELU output and the attention context
    /// have no such channels, and measured per MatMul on calibration text, smoothing them raised the int8 error.
    /// </summary>
    public static IReadOnlyList<string> LayerNormMatMulInputs(ReadOnlyMemory<byte> model)
    {
        var g = ParsedGraph.Parse(model);
        var producers = new Dictionary<string, Node>();
        foreach (var n in g.Nodes) foreach (var o in n.Outputs) producers[o] = n;
        bool IsVector(string name) => g.Initializers.TryGetValue(name, out var t) && !g.GraphInputs.Contains(name) && ProtoWire.Int64s(t, TensorDims).Count == 1;
        bool IsLayerNorm(string tensor) => producers.TryGetValue(tensor, out var p) && (p.OpType == "LayerNormalization"
            || p.OpType == "Add" && p.Inputs.Count == 2 && p.Inputs.Count(IsVector) == 1
               && producers.TryGetValue(p.Inputs.First(i => !IsVector(i)), out var mul) && mul.OpType == "Mul" && mul.Inputs.Count(IsVector) == 1);
        return g.WeightMatMuls().Select(n => n.Inputs[0]).Distinct().Where(IsLayerNorm).ToList();
    }

    /// <summary>The model with <paramref name="tensors"/> (float intermediate tensors) added as graph outputs, for calibration.</summary>
    public static byte[] WithFloatOutputs(ReadOnlyMemory<byte> model, IEnumerable<string> tensors)
    {
        var g = ParsedGraph.Parse(model);
        var graph = new ProtoWriter();
        foreach (var f in g.Fields) graph.Raw(f);
        foreach (var name in tensors)
        {
            // ValueInfoProto { name, type { tensor_type { elem_type: FLOAT } } }; the shape is left to ORT.
            var tensorType = new ProtoWriter().Varint(1, FloatType);
            graph.Message(GraphOutput, new ProtoWriter().String(ValueInfoName, name).Message(2, new ProtoWriter().Message(1, tensorType)));
        }
        var output = new ProtoWriter();
        foreach (var f in g.ModelFields) output = f.Number == ModelGraph ? output.Message(ModelGraph, graph) : output.Raw(f);
        return output.ToArray();
    }

    /// <summary>The graph's nodes and initializers, for checks and diagnostics.</summary>
    public static OnnxGraphInfo Inspect(ReadOnlyMemory<byte> model)
    {
        var modelFields = ProtoWire.Parse(model);
        var graphFields = ProtoWire.Parse(modelFields.Single(f => f.Number == ModelGraph).Payload);
        var nodes = graphFields.Where(f => f.Number == GraphNode).Select(f => new Node(ProtoWire.Parse(f.Payload)))
            .Select(n => new OnnxNodeInfo(n.OpType, n.Domain, n.Inputs, n.Outputs)).ToList();
        var initializers = graphFields.Where(f => f.Number == GraphInitializer).Select(f => ProtoWire.Parse(f.Payload))
            .Select(t => new OnnxTensorInfo(t.First(x => x.Number == TensorName).AsString(),
                (int)t.FirstOrDefault(x => x.Number == TensorDataType).Varint, ProtoWire.Int64s(t, TensorDims))).ToList();
        var opsets = modelFields.Where(f => f.Number == ModelOpsetImport).Select(f => ProtoWire.Parse(f.Payload))
            .Select(o => o.FirstOrDefault(x => x.Number == OpsetDomain) is { Number: OpsetDomain } d ? d.AsString() : "").ToList();
        return new OnnxGraphInfo(nodes, initializers, opsets);
    }

    /// <summary>Symmetric per-column int8: scale = max|w| / 127 over the column, so every column uses the full range.</summary>
    public static (sbyte[] Quantized, float[] Scales) QuantizeColumns(float[] w, int rows, int cols)
    {
        var scales = new float[cols];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
                scales[c] = MathF.Max(scales[c], MathF.Abs(w[r * cols + c]));
        for (var c = 0; c < cols; c++) scales[c] = scales[c] > 0 ? scales[c] / 127f : 1f;
        var q = new sbyte[w.Length];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
                q[r * cols + c] = (sbyte)Math.Clamp(MathF.Round(w[r * cols + c] / scales[c], MidpointRounding.ToEven), -127f, 127f);
        return (q, scales);
    }

    private static bool IsDenseFloatMatrix(List<ProtoField> tensor) =>
        tensor.FirstOrDefault(x => x.Number == TensorDataType).Varint == FloatType
        && ProtoWire.Int64s(tensor, TensorDims).Count == 2
        && tensor.FirstOrDefault(x => x.Number == TensorDataLocation).Varint == 0; // not external data

    private static float[] ReadFloats(List<ProtoField> tensor)
    {
        var raw = tensor.FirstOrDefault(x => x.Number == TensorRawData);
        if (raw.Number != 0) return MemoryMarshal.Cast<byte, float>(raw.Payload.Span).ToArray();
        var values = new List<float>();
        foreach (var f in tensor.Where(x => x.Number == TensorFloatData))
        {
            if (f.WireType == ProtoField.LengthDelimitedType) values.AddRange(MemoryMarshal.Cast<byte, float>(f.Payload.Span).ToArray());
            else values.Add(BitConverter.ToSingle(f.Payload.Span));
        }
        return values.ToArray();
    }

    private static ProtoWriter Tensor(string name, int dataType, IReadOnlyList<long> dims, ReadOnlySpan<byte> raw)
    {
        var t = new ProtoWriter();
        foreach (var d in dims) t.Varint(TensorDims, d);
        return t.Varint(TensorDataType, dataType).String(TensorName, name).Bytes(TensorRawData, raw);
    }

    private static ProtoWriter SmoothedNode(Node node, string input)
    {
        var n = new ProtoWriter().String(NodeInput, input).String(NodeInput, node.Inputs[1] + "_smoothed");
        foreach (var o in node.Outputs) n.String(NodeOutput, o);
        return n.String(NodeName, (node.Name.Length > 0 ? node.Name : node.Outputs[0]) + "_smoothed").String(NodeOpType, "MatMul");
    }

    private static ProtoWriter QuantizedNode(Node node, string input)
    {
        var n = new ProtoWriter()
            .String(NodeInput, input).String(NodeInput, node.Inputs[1] + "_quantized").String(NodeInput, node.Inputs[1] + "_scale");
        foreach (var o in node.Outputs) n.String(NodeOutput, o);
        return n.String(NodeName, (node.Name.Length > 0 ? node.Name : node.Outputs[0]) + "_quant")
            .String(NodeOpType, QuantizedOp).String(NodeDomain, MicrosoftDomain);
    }

    private sealed record ParsedGraph(List<ProtoField> ModelFields, List<ProtoField> Fields, List<Node> Nodes,
        Dictionary<string, List<ProtoField>> Initializers, HashSet<string> GraphInputs)
    {
        public static ParsedGraph Parse(ReadOnlyMemory<byte> model)
        {
            var modelFields = ProtoWire.Parse(model);
            var graphFields = ProtoWire.Parse(modelFields.Single(f => f.Number == ModelGraph).Payload);
            // Initializers that are also graph inputs can be overridden by the caller: they are not constants.
            var graphInputs = graphFields.Where(f => f.Number == GraphInput)
                .Select(f => ProtoWire.Parse(f.Payload).First(x => x.Number == ValueInfoName).AsString()).ToHashSet();
            var initializers = new Dictionary<string, List<ProtoField>>();
            foreach (var f in graphFields.Where(f => f.Number == GraphInitializer))
            {
                var tensor = ProtoWire.Parse(f.Payload);
                initializers[tensor.First(x => x.Number == TensorName).AsString()] = tensor;
            }
            var nodes = graphFields.Where(f => f.Number == GraphNode).Select(f => new Node(ProtoWire.Parse(f.Payload))).ToList();
            return new ParsedGraph(modelFields, graphFields, nodes, initializers, graphInputs);
        }

        /// <summary>MatMuls whose B input is a constant float matrix, in graph order.</summary>
        public HashSet<Node> WeightMatMuls() => Nodes.Where(n => n.OpType == "MatMul" && n.Domain.Length == 0 && n.Inputs.Count == 2
            && !GraphInputs.Contains(n.Inputs[1]) && Initializers.TryGetValue(n.Inputs[1], out var w) && IsDenseFloatMatrix(w)).ToHashSet();
    }

    /// <summary>The parts of a NodeProto the rewriter reads; reference equality keeps nodes with equal fields apart.</summary>
    private sealed class Node(List<ProtoField> fields)
    {
        public string OpType { get; } = fields.FirstOrDefault(f => f.Number == NodeOpType) is { Number: NodeOpType } t ? t.AsString() : "";
        public string Domain { get; } = fields.FirstOrDefault(f => f.Number == NodeDomain) is { Number: NodeDomain } d ? d.AsString() : "";
        public string Name { get; } = fields.FirstOrDefault(f => f.Number == NodeName) is { Number: NodeName } n ? n.AsString() : "";
        public List<string> Inputs { get; } = fields.Where(f => f.Number == NodeInput).Select(f => f.AsString()).ToList();
        public List<string> Outputs { get; } = fields.Where(f => f.Number == NodeOutput).Select(f => f.AsString()).ToList();
    }
}
