using TeacherPlatform.Ingestion.Extraction;
using TeacherPlatform.Ingestion.Partitioning;

namespace TeacherPlatform.UnitTests.Ingestion;

public sealed class TextPartitionerTests
{
    private static int Words(string s) => s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>Deterministic prose: sentences of 4–22 words, paragraphs of 2–6 sentences.</summary>
    private static string Prose(int seed, int paragraphs)
    {
        var random = new Random(seed);
        string[] vocabulary = ["legato", "wrist", "finger", "scale", "pedal", "phrase", "tempo", "hand", "thumb", "arm", "touch", "tone"];
        var result = new List<string>();
        for (var p = 0; p < paragraphs; p++)
        {
            var sentences = Enumerable.Range(0, random.Next(2, 7)).Select(_ =>
            {
                var words = Enumerable.Range(0, random.Next(4, 23)).Select(_ => vocabulary[random.Next(vocabulary.Length)]).ToArray();
                return char.ToUpperInvariant(words[0][0]) + string.Join(' ', words)[1..] + ".";
            });
            result.Add(string.Join(' ', sentences));
        }

        return string.Join("\n\n", result);
    }

    private static ExtractedSection[] Pages(int count, int paragraphsPerPage) =>
        Enumerable.Range(1, count).Select(p => new ExtractedSection(p, Prose(p, paragraphsPerPage))).ToArray();

    [Fact]
    public void Chunks_respect_max_tokens_offsets_and_pages_on_long_text()
    {
        var sections = Pages(6, 8);
        var joined = JoinedText.From(sections);
        var chunks = new TextPartitioner(Words, new PartitionOptions { MaxTokens = 60, OverlapTokens = 15 }).Partition(joined);

        Assert.True(chunks.Count > 10);
        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Index));
        foreach (var chunk in chunks)
        {
            Assert.True(Words(chunk.Text) <= 60, $"chunk {chunk.Index} has {Words(chunk.Text)} tokens");
            Assert.Equal(joined.Text[chunk.StartChar..chunk.EndChar], chunk.Text);
            Assert.Equal(chunk.Text.Trim(), chunk.Text);
            Assert.Equal(joined.Spans[joined.SectionAt(chunk.StartChar)].PageNumber, chunk.PageNumber);
            Assert.Equal(joined.Spans[joined.SectionAt(chunk.EndChar - 1)].PageNumber, chunk.PageEnd);
            Assert.InRange(chunk.PageEnd - chunk.PageNumber, 0, 1);
            // Whole sentences only: every chunk starts a sentence and ends one.
            Assert.True(char.IsUpper(chunk.Text[0]), chunk.Text);
            Assert.EndsWith(".", chunk.Text, StringComparison.Ordinal);
        }

        // Every character of the text is covered by some chunk.
        var covered = new bool[joined.Text.Length];
        foreach (var chunk in chunks) Array.Fill(covered, true, chunk.StartChar, chunk.EndChar - chunk.StartChar);
        Assert.All(Enumerable.Range(0, covered.Length).Where(i => !covered[i]), i => Assert.True(char.IsWhiteSpace(joined.Text[i])));
    }

    [Fact]
    public void Consecutive_chunks_on_the_same_page_overlap_by_whole_sentences_within_budget()
    {
        var joined = JoinedText.From([new ExtractedSection(1, Prose(7, 20))]);
        var chunks = new TextPartitioner(Words, new PartitionOptions { MaxTokens = 60, OverlapTokens = 15 }).Partition(joined);

        var pairs = chunks.Zip(chunks.Skip(1)).ToList();
        Assert.NotEmpty(pairs);
        Assert.Contains(pairs, p => p.Second.StartChar < p.First.EndChar);
        foreach (var (previous, next) in pairs)
        {
            Assert.True(next.StartChar > previous.StartChar, "chunks advance");
            Assert.True(next.EndChar > previous.EndChar, "every chunk adds new text");
            if (next.StartChar < previous.EndChar)
            {
                var overlap = joined.Text[next.StartChar..previous.EndChar];
                Assert.True(Words(overlap) <= 15);
                Assert.EndsWith(".", overlap, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Over_long_sentence_is_split_into_fitting_word_runs()
    {
        var sentence = string.Join(' ', Enumerable.Range(0, 500).Select(i => $"w{i}"));
        var chunks = new TextPartitioner(Words, new PartitionOptions { MaxTokens = 64, OverlapTokens = 8 })
            .Partition([new ExtractedSection(1, sentence)]);

        Assert.All(chunks, c => Assert.InRange(Words(c.Text), 1, 64));
        var seen = chunks.SelectMany(c => c.Text.Split(' ')).ToHashSet();
        Assert.All(Enumerable.Range(0, 500), i => Assert.Contains($"w{i}", seen));
    }

    [Fact]
    public void Single_giant_word_is_split_by_characters()
    {
        static int FourCharTokens(string s) => (s.Length + 3) / 4;
        var chunks = new TextPartitioner(FourCharTokens, new PartitionOptions { MaxTokens = 10, OverlapTokens = 2 })
            .Partition([new ExtractedSection(1, new string('x', 101))]);

        Assert.All(chunks, c => Assert.True(FourCharTokens(c.Text) <= 10));
        Assert.Equal(101, chunks.Sum(c => c.Text.Length));
    }

    [Fact]
    public void Final_count_is_rechecked_when_units_do_not_add_up()
    {
        // Paragraph breaks cost tokens only in the joined text, so per-sentence sums underestimate.
        static int Costly(string s) => Words(s) + s.Count(c => c == '\n') * 5;
        var text = string.Join("\n\n", Enumerable.Range(0, 40).Select(i => $"Short paragraph number {i} here."));
        var chunks = new TextPartitioner(Costly, new PartitionOptions { MaxTokens = 30, OverlapTokens = 5 })
            .Partition([new ExtractedSection(1, text)]);

        Assert.All(chunks, c => Assert.True(Costly(c.Text) <= 30, $"{Costly(c.Text)}: {c.Text}"));
        Assert.Contains("number 39 here.", chunks[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Page_boundaries_end_chunks_but_a_short_tail_runs_on_into_the_next_page()
    {
        ExtractedSection[] sections =
        [
            new(1, Prose(11, 4)),
            new(2, "A short tail."),
            new(3, Prose(12, 4)),
            new(4, Prose(13, 4)),
        ];
        var joined = JoinedText.From(sections);
        var chunks = new TextPartitioner(Words, new PartitionOptions { MaxTokens = 400, OverlapTokens = 20, PageTailMergeTokens = 20 })
            .Partition(joined);

        Assert.Contains(chunks, c => c.PageNumber == 2 && c.PageEnd == 3);
        Assert.DoesNotContain(chunks, c => c.PageEnd - c.PageNumber > 1);
        var page4Start = joined.Spans[3].Start;
        Assert.Contains(chunks, c => c.StartChar == page4Start);
        Assert.All(chunks.Where(c => c.PageNumber == 3 && c.PageEnd == 4), c => Assert.Fail("page 3 is long: it must not run into page 4"));
    }

    [Fact]
    public void A_section_that_fits_stays_whole_and_a_long_section_is_cut_into_units_that_carry_its_heading()
    {
        // Page 1: a title and a short numbered section (one topic: one chunk). Pages 2-4: a chapter of running prose,
        // longer than MaxTokens, with a running head repeating the chapter title at the top of pages 3 and 4.
        ExtractedSection[] sections =
        [
            new(1, "A Guide to Touch\n\n1. Finger independence\n\n" + Prose(31, 1)),
            new(2, "CHAPTER II.\n\nTHE SINGING TONE.\n\n" + Prose(32, 5)),
            new(3, "THE SINGING TONE\n\n" + Prose(33, 5)),
            new(4, "THE SINGING TONE\n\n" + Prose(34, 5)),
        ];
        var joined = JoinedText.From(sections);
        var options = new PartitionOptions { MaxTokens = 200, OverlapTokens = 20, UnitTokens = 60, UnitOverlapTokens = 10 };
        var chunks = new TextPartitioner(Words, options).Partition(joined, "A Guide to Touch");

        var first = Assert.Single(chunks, c => c.PageNumber == 1);
        Assert.Equal(sections[0].Text, first.Text);
        Assert.Equal("1. Finger independence", first.Heading);

        var chapter = chunks.Where(c => c.PageNumber >= 2).ToList();
        Assert.True(chapter.Count >= 6, $"{chapter.Count} units");
        Assert.StartsWith("CHAPTER II.", chapter[0].Text, StringComparison.Ordinal);
        Assert.All(chapter, c =>
        {
            Assert.True(Words(c.Text) <= 60, $"unit {c.Index} has {Words(c.Text)} tokens");
            Assert.Equal("CHAPTER II. THE SINGING TONE.", c.Heading); // running heads open no new section
            Assert.Equal(joined.Text[c.StartChar..c.EndChar], c.Text);
            Assert.InRange(c.PageEnd - c.PageNumber, 0, 1);
        });
        // No chunk crosses the heading: nothing of page 1 is repeated after it as overlap.
        Assert.DoesNotContain(chapter, c => c.StartChar < joined.Spans[1].Start);
    }

    [Fact]
    public void Short_sections_are_packed_whole_and_a_chunk_ends_at_a_heading_rather_than_cut_a_section()
    {
        var text = string.Join("\n\n", Enumerable.Range(1, 6).Select(i => $"Topic number {i}\n\n" + Prose(40 + i, 1)));
        var joined = JoinedText.From([new ExtractedSection(1, text)]);
        var chunks = new TextPartitioner(Words, new PartitionOptions { MaxTokens = 300, OverlapTokens = 20, UnitTokens = 40 }).Partition(joined);

        Assert.True(chunks.Count < 6, "short sections share chunks");
        Assert.All(chunks, c =>
        {
            Assert.StartsWith("Topic number", c.Text, StringComparison.Ordinal);
            Assert.Equal(c.Text[..14], c.Heading?[..14]);
            Assert.True(Words(c.Text) <= 300);
        });
    }

    [Theory]
    [InlineData("1. Finger independence", true)]
    [InlineData("CHAPTER IV.", true)]
    [InlineData("WHAT THE FACE TELLS.", true)]
    [InlineData("Choose music that is easy enough", true)]
    [InlineData("Once a master said to a child:", false)]
    [InlineData("Thou poor little one.", false)]
    [InlineData("How do I practise scales?", false)]
    [InlineData("\"Music makes people more gentle.\"", false)]
    [InlineData("- B flat major: right hand 4-1-2-3", false)]
    [InlineData("12", false)]
    [InlineData("The pedal is released as the next chord is played, and pressed again at once while the keys are held", false)]
    public void Headings_are_short_title_like_paragraphs(string paragraph, bool heading) =>
        Assert.Equal(heading, HeadingDetector.LooksLikeHeading(paragraph));

    [Fact]
    public void A_heading_seen_before_or_equal_to_the_title_is_a_running_head()
    {
        var detector = new HeadingDetector("Music Talks with Children");
        Assert.Equal(HeadingKind.Repeated, detector.Classify("MUSIC TALKS WITH CHILDREN"));
        Assert.Equal(HeadingKind.New, detector.Classify("WHAT THE FACE TELLS."));
        Assert.Equal(HeadingKind.Repeated, detector.Classify("What the Face Tells"));
        Assert.Equal(HeadingKind.None, detector.Classify("It was always the same."));
    }

    [Fact]
    public void Transcript_chunks_carry_the_start_time_of_their_first_segment()
    {
        ExtractedSection[] segments = Enumerable.Range(1, 8)
            .Select(i => new ExtractedSection(i, Prose(20 + i, 2), StartSeconds: (i - 1) * 60.5))
            .ToArray();
        var joined = JoinedText.From(segments);
        var chunks = new TextPartitioner(Words, new PartitionOptions { MaxTokens = 40, OverlapTokens = 10 }).Partition(joined);

        Assert.All(chunks, c => Assert.Equal(joined.Spans[joined.SectionAt(c.StartChar)].StartSeconds, c.StartSeconds));
        Assert.Equal(0.0, chunks[0].StartSeconds);
        Assert.Equal(7 * 60.5, chunks[^1].StartSeconds!.Value, 3);
    }

    [Fact]
    public void Partitioning_is_deterministic_and_empty_input_gives_no_chunks()
    {
        var partitioner = new TextPartitioner(Words, new PartitionOptions { MaxTokens = 50, OverlapTokens = 10 });
        var sections = Pages(3, 5);

        Assert.Equal(partitioner.Partition(sections), partitioner.Partition(sections));
        Assert.Empty(partitioner.Partition([new ExtractedSection(1, "  \n\n ")]));
    }

    [Fact]
    public void Rejects_overlap_not_smaller_than_max()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextPartitioner(Words, new PartitionOptions { MaxTokens = 10, OverlapTokens = 10 }));
    }

    [Fact]
    public void Chunk_ids_are_stable_version_5_uuids()
    {
        var doc = Guid.Parse("6f1c2a9e-4b7d-4c1e-9a55-0d2b7c3e8f10");
        var id = ChunkId.For(doc, 3, "Slow practice.");

        Assert.Equal(id, ChunkId.For(doc, 3, "Slow practice."));
        Assert.NotEqual(id, ChunkId.For(doc, 4, "Slow practice."));
        Assert.NotEqual(id, ChunkId.For(doc, 3, "Slow practice!"));
        Assert.NotEqual(id, ChunkId.For(Guid.NewGuid(), 3, "Slow practice."));
        Assert.Equal(5, id.Version);
        Assert.Contains(id.ToString()[19], "89ab"); // RFC 4122 variant
    }
}
