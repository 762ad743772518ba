-- A second keyword field per chunk: the document's author and the chunk's section heading (ChunkRecord.Source). The
-- application writes its tokens into the chunk's tsvector after the text's, with weight label A, and counts them in
-- keyword_length, as SQLite's FTS5 table holds the field as a second column. Chunks written before this migration have
-- an empty source (their tsvector is unchanged) until their document is processed again.
ALTER TABLE knowledge_chunks ADD COLUMN source text NOT NULL DEFAULT '';
