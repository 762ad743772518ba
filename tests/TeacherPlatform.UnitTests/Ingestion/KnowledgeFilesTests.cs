using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Ingestion.Bulk;

namespace TeacherPlatform.UnitTests.Ingestion;

/// <summary>One file-type table and one safe-name rule for the API's uploads and the bulk folder loader.</summary>
public sealed class KnowledgeFilesTests
{
    [Theory]
    [InlineData("notes.markdown", "text", "text/markdown")]
    [InlineData("notes.TEXT", "text", "text/plain")]
    [InlineData("scales.md", "text", "text/markdown")]
    [InlineData("book.pdf", "pdf", "application/pdf")]
    [InlineData("lesson.srt", "video", "application/x-subrip")]
    [InlineData("page.htm", "web", "text/html")]
    public void Every_accepted_extension_has_one_source_type_and_content_type(string file, string type, string contentType)
    {
        Assert.Equal(type, KnowledgeFiles.SourceTypeFor(file));
        Assert.Equal(contentType, KnowledgeFiles.ContentTypeFor(file));
        Assert.Contains(Path.GetExtension(file).ToLowerInvariant(), KnowledgeFiles.ExtensionsFor(type));
    }

    [Fact]
    public void The_folder_loader_accepts_what_the_api_accepts()
    {
        var folder = Directory.CreateTempSubdirectory("tp-files-").FullName;
        try
        {
            string[] names = ["a.pdf", "b.markdown", "c.text", "d.md", "e.vtt", "f.exe", "g.docx"];
            foreach (var n in names) File.WriteAllText(Path.Combine(folder, n), "x");
            var found = FolderIngester.FindFiles(folder).Select(Path.GetFileName).ToList();
            Assert.Equal(["a.pdf", "b.markdown", "c.text", "d.md", "e.vtt"], found);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Theory]
    [InlineData("..hidden.pdf", "hidden.pdf")]
    [InlineData("Étude n°1.pdf", "_tude_n_1.pdf")]
    [InlineData("...", "file")]
    public void Safe_names_drop_leading_dots_and_odd_characters(string name, string safe) =>
        Assert.Equal(safe, KnowledgeFiles.SafeName(name));

    [Fact]
    public void Safe_names_are_capped_and_keys_live_under_the_document()
    {
        var id = Guid.NewGuid();
        Assert.Equal(120, KnowledgeFiles.SafeName(new string('a', 300) + ".pdf").Length);
        Assert.Equal($"knowledge/{id}/my_book.pdf", KnowledgeFiles.StorageKey(id, "my book.pdf"));
    }
}
