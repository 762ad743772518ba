using TeacherPlatform.Ai.Embeddings.Tokenization;

namespace TeacherPlatform.UnitTests.Embeddings;

public sealed class BertWordPieceTokenizerTests
{
    private static readonly BertWordPieceTokenizer Tokenizer = BertWordPieceTokenizer.BertBaseUncased;

    private static List<string> Words(string text)
    {
        var pieces = Tokenizer.ToPieces(Tokenizer.Encode(text, 512));
        Assert.Equal("[CLS]", pieces[0]);
        Assert.Equal("[SEP]", pieces[^1]);
        var words = new List<string>();
        foreach (var piece in pieces.Skip(1).SkipLast(1))
        {
            if (piece.StartsWith("##", StringComparison.Ordinal)) words[^1] += piece[2..];
            else words.Add(piece);
        }
        return words;
    }

    [Fact]
    public void Tabs_newlines_and_accents_are_normalised_like_bert_uncased()
    {
        Assert.Equal(["cafe", "naive", "etude"], Words("Café\tnaïve\nétude"));
        Assert.Equal(["chopin", "'", "s", "etudes", ",", "op", ".", "10"], Words("Chopin's Études,\r\nOp. 10"));
        // Decomposed input (e + combining acute) folds the same way as the precomposed letter.
        Assert.Equal(["etude"], Words("e\u0301tude"));
        Assert.DoesNotContain("[UNK]", Tokenizer.ToPieces(Tokenizer.Encode("Dvořák Smetana Görecki Señor", 512)));
    }

    [Fact]
    public void Truncation_keeps_cls_and_sep()
    {
        var text = string.Join(' ', Enumerable.Repeat("staccato", 1_000));
        var ids = Tokenizer.Encode(text, 512);
        var pieces = Tokenizer.ToPieces(ids);
        Assert.Equal(512, ids.Length);
        Assert.Equal("[CLS]", pieces[0]);
        Assert.Equal("[SEP]", pieces[^1]);
    }

    [Fact]
    public void Count_excludes_special_tokens_and_is_not_truncated()
    {
        Assert.Equal(Words("Café naïve étude").Count == 3 ? Tokenizer.Encode("Café naïve étude", 512).Length - 2 : -1,
            Tokenizer.CountTokens("Café naïve étude"));
        Assert.Equal(1_000, Tokenizer.CountTokens(string.Join(' ', Enumerable.Repeat("piano", 1_000))));
        Assert.Equal(0, Tokenizer.CountTokens(""));
    }
}
