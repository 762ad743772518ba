using System.Net;
using System.Text;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Knowledge;

public sealed class KnowledgeFlowTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Pdf_goes_through_processing_to_completed_and_page_3_phrase_is_found_on_page_3_in_every_mode()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var created = await teacher.CreateAsync("Piano method", "pdf", "method.pdf");
        Assert.Equal("pending", created["document"]!["status"]!.GetValue<string>());
        Assert.NotNull(created["upload_expires_at"]);
        await factory.UploadAsync(created, TestDocuments.Pdf(TestDocuments.PedagogyBook), "application/pdf");
        var id = created["document"]!["id"]!.GetValue<string>();

        var process = await teacher.Client.PostAsync($"/api/knowledge/{id}/process", null);
        Assert.Equal(HttpStatusCode.Accepted, process.StatusCode);
        Assert.Equal("processing", (await process.ReadJsonAsync())["status"]!.GetValue<string>());
        var status = await teacher.WaitForAsync(id);
        Assert.Equal("completed", status["status"]!.GetValue<string>());
        Assert.DoesNotContain("pending", status["seen"]!.AsArray().Select(s => s!.GetValue<string>()));
        var chunkCount = status["chunk_count"]!.GetValue<int>();
        Assert.True(chunkCount >= 1);
        Assert.Equal(chunkCount, status["progress"]!["total"]!.GetValue<int>());

        var doc = await (await teacher.Client.GetAsync($"/api/knowledge/{id}")).ReadJsonAsync();
        Assert.Equal(4, doc["page_count"]!.GetValue<int>());
        Assert.Equal(chunkCount, doc["chunk_count"]!.GetValue<int>());

        foreach (var mode in new[] { "keyword", "vector", "hybrid" })
        {
            var results = await teacher.SearchAsync(TestDocuments.Page3Phrase, mode);
            Assert.NotEmpty(results);
            var first = results[0]!;
            Assert.Equal(id, first["document_id"]!.GetValue<string>());
            Assert.Equal(3, first["page_number"]!.GetValue<int>());
            Assert.Equal("Piano method", first["title"]!.GetValue<string>());
            Assert.Equal("pdf", first["source_type"]!.GetValue<string>());
            Assert.Contains("butterfly", first["snippet"]!.GetValue<string>());
            if (mode == "hybrid")
            {
                Assert.NotNull(first["vector_rank"]);
                Assert.NotNull(first["keyword_rank"]);
            }
        }
    }

    [Fact]
    public async Task A_question_naming_an_author_finds_the_book_whose_pdf_metadata_names_them()
    {
        // Two books with the same pages: only the author in each PDF's metadata tells them apart.
        string[][] pages =
        [
            ["Practise every scale slowly, with a quiet hand and a loose wrist, and let the thumb pass under without a jerk."],
            ["Play the arpeggio in small groups first, then join the groups once each one is even and relaxed."],
        ];
        var teacher = await factory.RegisterAsync("teacher");
        var brandhuber = await factory.IngestAsync(teacher, "Scales at the keyboard", "pdf", "scales.pdf",
            TestDocuments.PdfBy("Ottokar Brandhuber", pages), "application/pdf");
        var verhoeven = await factory.IngestAsync(teacher, "Scales at the keyboard", "pdf", "scales-2.pdf",
            TestDocuments.PdfBy("Ludmila Verhoeven", pages), "application/pdf");

        foreach (var mode in new[] { "keyword", "hybrid" })
        foreach (var (author, id) in new[] { ("Verhoeven", verhoeven), ("Brandhuber", brandhuber) })
        {
            var results = await teacher.SearchAsync($"What does {author} say about practising scales slowly with a loose wrist?", mode,
                documentIds: [brandhuber, verhoeven]);
            Assert.True(results.Count > 0, $"{mode} {author}: no results");
            Assert.Equal(id, results[0]!["document_id"]!.GetValue<string>());
            Assert.Equal(1, results[0]!["page_number"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task Html_page_is_ingested_from_main_content_only()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var id = await factory.IngestAsync(teacher, "Practice routine", "web", "routine.html",
            Encoding.UTF8.GetBytes(TestDocuments.Html("Interleaved practice of the zebrafinch arpeggio study beats long blocked repetition.")), "text/html");
        var results = await teacher.SearchAsync("zebrafinch arpeggio study", "keyword");
        Assert.Equal(id, results[0]!["document_id"]!.GetValue<string>());
        Assert.Equal(1, results[0]!["page_number"]!.GetValue<int>());
        // Navigation and footer noise is not indexed.
        Assert.Empty(await teacher.SearchAsync("newsletter discounts privacy", "keyword", documentIds: [id]));
        var hybrid = await teacher.SearchAsync("zebrafinch arpeggio study", "hybrid");
        Assert.Equal(id, hybrid[0]!["document_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task WebVtt_transcript_chunks_carry_start_seconds()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var cues = new List<(double, string)>();
        for (var i = 0; i < 30; i++)
            cues.Add((i * 10.0, i == 14
                ? "Now the marmalade staccato flick: bounce the finger off the key like a hot stove."
                : $"Lesson talk number {i}: keep the hand relaxed and listen to the sound you make."));
        var id = await factory.IngestAsync(teacher, "Staccato lesson", "video", "lesson.vtt", Encoding.UTF8.GetBytes(TestDocuments.Vtt(cues.ToArray())), "text/vtt");
        foreach (var mode in new[] { "keyword", "vector", "hybrid" })
        {
            var results = await teacher.SearchAsync("marmalade staccato flick", mode);
            var first = results[0]!;
            Assert.Equal(id, first["document_id"]!.GetValue<string>());
            Assert.Equal("video", first["source_type"]!.GetValue<string>());
            var start = first["start_seconds"]!.GetValue<double>();
            Assert.InRange(start, 0, 140); // the chunk starts at or before the cue at 140 s
            Assert.Contains("marmalade", first["snippet"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Reprocessing_replaces_chunks_and_delete_removes_everything()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var id = await factory.IngestAsync(teacher, "Scales", "text", "scales.txt",
            Encoding.UTF8.GetBytes("The lighthouse fingering for B major starts with the second finger.\n\nPractise it slowly."), "text/plain");
        var first = await (await teacher.Client.GetAsync($"/api/knowledge/{id}")).ReadJsonAsync();
        var chunks = first["chunk_count"]!.GetValue<int>();

        Assert.Equal(HttpStatusCode.Accepted, (await teacher.Client.PostAsync($"/api/knowledge/{id}/process", null)).StatusCode);
        var again = await teacher.WaitForAsync(id);
        Assert.Equal(chunks, again["chunk_count"]!.GetValue<int>());
        var hits = await teacher.SearchAsync("lighthouse fingering", "keyword", topK: 50);
        Assert.Equal(chunks, hits.Count(h => h!["document_id"]!.GetValue<string>() == id));

        // Twenty deletes at once: one removes it (204), the others find nothing (404), whatever the interleaving.
        var deletes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => teacher.Client.DeleteAsync($"/api/knowledge/{id}")));
        Assert.Equal(1, deletes.Count(r => r.StatusCode == HttpStatusCode.NoContent));
        Assert.All(deletes.Where(r => r.StatusCode != HttpStatusCode.NoContent), r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        await (await teacher.Client.GetAsync($"/api/knowledge/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(await teacher.SearchAsync("lighthouse fingering", "keyword"));
        Assert.Empty(await teacher.SearchAsync("lighthouse fingering B major", "vector", documentIds: [id]));
        Assert.False(Directory.EnumerateFiles(factory.DataDirectory, "scales.txt", SearchOption.AllDirectories).Any(), "stored file removed");
    }

    [Fact]
    public async Task Scanned_pdf_fails_with_no_extractable_text_and_mislabelled_upload_fails_clearly()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var scanned = await teacher.CreateAsync("Scanned", "pdf", "scan.pdf");
        await factory.UploadAsync(scanned, TestDocuments.ImageOnlyPdf(), "application/pdf");
        var scannedId = scanned["document"]!["id"]!.GetValue<string>();
        await teacher.Client.PostAsync($"/api/knowledge/{scannedId}/process", null);
        var status = await teacher.WaitForAsync(scannedId);
        Assert.Equal("failed", status["status"]!.GetValue<string>());
        Assert.Equal("no_extractable_text", status["error"]!["code"]!.GetValue<string>());
        Assert.Equal(0, status["chunk_count"]!.GetValue<int>());

        var png = await teacher.CreateAsync("Not a pdf", "pdf", "fake.pdf");
        await factory.UploadAsync(png, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], "application/pdf");
        var pngId = png["document"]!["id"]!.GetValue<string>();
        await teacher.Client.PostAsync($"/api/knowledge/{pngId}/process", null);
        var pngStatus = await teacher.WaitForAsync(pngId);
        Assert.Equal("failed", pngStatus["status"]!.GetValue<string>());
        Assert.Equal("unsupported_media_type", pngStatus["error"]!["code"]!.GetValue<string>());

        // Random bytes behind a UTF-32 byte-order mark, labelled as text: not indexed as a page of U+FFFD.
        var noise = await teacher.CreateAsync("Not text", "text", "notes.txt");
        await factory.UploadAsync(noise, [0xFF, 0xFE, 0x00, 0x00, .. Enumerable.Range(0, 4096).Select(i => (byte)((i * 7919 + 13) % 251))], "text/plain");
        var noiseId = noise["document"]!["id"]!.GetValue<string>();
        await teacher.Client.PostAsync($"/api/knowledge/{noiseId}/process", null);
        Assert.Equal("unsupported_media_type", (await teacher.WaitForAsync(noiseId))["error"]!["code"]!.GetValue<string>());

        var truncated = await teacher.CreateAsync("Truncated", "pdf", "cut.pdf");
        var bytes = TestDocuments.Pdf(TestDocuments.PedagogyBook);
        await factory.UploadAsync(truncated, bytes[..(bytes.Length / 2)], "application/pdf");
        var cutId = truncated["document"]!["id"]!.GetValue<string>();
        await teacher.Client.PostAsync($"/api/knowledge/{cutId}/process", null);
        Assert.Equal("corrupt_file", (await teacher.WaitForAsync(cutId))["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_input_is_rejected_with_field_errors()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var student = await factory.RegisterAsync("student");
        async Task Bad(TestUser u, object body, string field)
        {
            var p = await (await u.Client.PostJsonAsync("/api/knowledge", body)).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
            Assert.True(p["errors"]!.AsObject().ContainsKey(field), p.ToJsonString());
        }
        await Bad(teacher, new { title = "", source_type = "pdf", filename = "a.pdf" }, "title");
        await Bad(teacher, new { title = "x", source_type = "podcast", filename = "a.mp3" }, "source_type");
        await Bad(teacher, new { title = "x", source_type = "pdf" }, "filename");
        await Bad(teacher, new { title = "x", source_type = "pdf", filename = "a.exe" }, "filename");
        await Bad(teacher, new { title = "x", source_type = "web", source_url = "ftp://example.com/a" }, "source_url");
        await Bad(teacher, new { title = "x", source_type = "web", source_url = "not a url" }, "source_url");
        await Bad(teacher, new { title = new string('t', 201), source_type = "text", filename = "a.txt" }, "title");
        await (await student.Client.PostJsonAsync("/api/knowledge", new { title = "x", source_type = "text", filename = "a.txt", is_public = true }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        // Processing before uploading is a conflict, not a failed job.
        var created = await teacher.CreateAsync("No upload yet", "text", "n.txt");
        await (await teacher.Client.PostAsync($"/api/knowledge/{created["document"]!["id"]}/process", null)).AssertProblemAsync(HttpStatusCode.Conflict, "upload_missing");
        // Search input.
        await (await teacher.Client.PostJsonAsync("/api/search", new { query = "" })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.PostJsonAsync("/api/search", new { query = "x", mode = "fuzzy" })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.PostJsonAsync("/api/search", new { query = "x", top_k = 0 })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.PostJsonAsync("/api/search", new { query = new string('q', 2001) })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.PostRawAsync("/api/search", """{"query":"x","document_ids":["nope"]}""")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.GetAsync("/api/knowledge?status=weird")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.GetAsync("/api/knowledge?page_size=101")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.GetAsync("/api/knowledge?page=abc")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }
}
