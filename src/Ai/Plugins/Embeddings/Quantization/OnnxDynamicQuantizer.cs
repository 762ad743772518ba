using System.Runtime.InteropServices;

namespace TeacherPlatform.Ai.Embeddings.Quantization;

public sealed record OnnxNodeInfo(string OpType, string Domain, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);
/// <summary>An initializer: name, ONNX data type (1 float, 3 int8) and shape.</summary>
public sealed record OnnxTensorInfo(string Name, int DataType, IReadOnlyList<long> Dims);
public sealed record OnnxGraphInfo(IReadOnlyList<OnnxNodeInfo> Nodes, IReadOnlyList<OnnxTensorInfo> Initializers, IReadOnlyList<string> OpsetDomains);

/// <summary>What <see cref="OnnxDynamicQuantizer.Quantize"/> changed.</summary>
public sealed record QuantizationSummary(int MatMulsQuantized, int MatMulsKept, long FloatWeightBytes, long QuantizedWeightBytes);

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
    public const int Version = 1;
    public const string MicrosoftDomain = "com.microsoft";
    public const string QuantizedOp = "DynamicQuantizeMatMul";

    // onnx.proto field numbers.
    private const int ModelGraph = 7, ModelOpsetImport = 8, ModelMetadataProps = 14;
    private const int OpsetDomain = 1, OpsetVersion = 2;
    private const int GraphNode = 1, GraphInitializer = 5, GraphInput = 11;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeDomain = 7;
    private const int TensorDims = 1, TensorDataType = 2, TensorFloatData = 4, TensorName = 8, TensorRawData = 9, TensorDataLocation = 14;
    private const int ValueInfoName = 1, EntryKey = 1, EntryValue = 2;
    private const int FloatType = 1, Int8Type = 3;

    public static byte[] Quantize(ReadOnlyMemory<byte> model, out QuantizationSummary summary)
    {
        var modelFields = ProtoWire.Parse(model);
        var graphField = modelFields.Single(f => f.Number == ModelGraph);
        var graphFields = ProtoWire.Parse(graphField.Payload);

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
        var matMuls = nodes.Count(n => n.OpType == "MatMul");

        var quantizable = nodes.Where(n => n.OpType == "MatMul" && n.Domain.Length == 0 && n.Inputs.Count == 2
            && !graphInputs.Contains(n.Inputs[1]) && initializers.TryGetValue(n.Inputs[1], out var w) && IsDenseFloatMatrix(w)).ToHashSet();
        var uses = nodes.SelectMany(n => n.Inputs).GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        var quantizedUses = quantizable.GroupBy(n => n.Inputs[1]).ToDictionary(g => g.Key, g => g.Count());

        var newInitializers = new List<ProtoWriter>();
        long floatBytes = 0, quantizedBytes = 0;
        foreach (var weight in quantizedUses.Keys)
        {
            var tensor = initializers[weight];
            var dims = ProtoWire.Int64s(tensor, TensorDims);
            var (q, scales) = QuantizeColumns(ReadFloats(tensor), checked((int)dims[0]), checked((int)dims[1]));
            newInitializers.Add(Tensor(weight + "_quantized", Int8Type, dims, MemoryMarshal.AsBytes(q.AsSpan())));
            newInitializers.Add(Tensor(weight + "_scale", FloatType, [dims[1]], MemoryMarshal.AsBytes(scales.AsSpan())));
            floatBytes += q.Length * sizeof(float);
            quantizedBytes += q.Length + scales.Length * sizeof(float);
        }
        // A float weight also read by something other than a quantised MatMul stays in the model.
        var dropped = quantizedUses.Where(kv => uses[kv.Key] == kv.Value).Select(kv => kv.Key).ToHashSet();

        var graph = new ProtoWriter();
        var nodeIndex = 0;
        foreach (var f in graphFields)
        {
            if (f.Number == GraphNode)
            {
                var node = nodes[nodeIndex++];
                if (quantizable.Contains(node)) graph.Message(GraphNode, QuantizedNode(node));
                else graph.Raw(f);
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
        foreach (var f in modelFields)
            output = f.Number == ModelGraph ? output.Message(ModelGraph, graph) : output.Raw(f);
        var hasMicrosoftOpset = modelFields.Where(f => f.Number == ModelOpsetImport)
            .Any(f => ProtoWire.Parse(f.Payload).Any(x => x.Number == OpsetDomain && x.AsString() == MicrosoftDomain));
        if (!hasMicrosoftOpset)
            output.Message(ModelOpsetImport, new ProtoWriter().String(OpsetDomain, MicrosoftDomain).Varint(OpsetVersion, 1));
        output.Message(ModelMetadataProps, new ProtoWriter().String(EntryKey, "teacherplatform.quantization")
            .String(EntryValue, $"dynamic-int8-per-column v{Version}"));

        summary = new QuantizationSummary(quantizable.Count, matMuls - quantizable.Count, floatBytes, quantizedBytes);
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

    private static ProtoWriter QuantizedNode(Node node)
    {
        var n = new ProtoWriter()
            .String(NodeInput, node.Inputs[0]).String(NodeInput, node.Inputs[1] + "_quantized").String(NodeInput, node.Inputs[1] + "_scale");
        foreach (var o in node.Outputs) n.String(NodeOutput, o);
        return n.String(NodeName, (node.Name.Length > 0 ? node.Name : node.Outputs[0]) + "_quant")
            .String(NodeOpType, QuantizedOp).String(NodeDomain, MicrosoftDomain);
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
