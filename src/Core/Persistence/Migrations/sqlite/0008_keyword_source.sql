-- A second keyword field per chunk: the document's author and the chunk's section heading (ChunkRecord.Source),
-- stored on the chunk row so the external-content FTS5 table can read it back for deletes, and indexed as the FTS5
-- column 'source', which bm25() weighs on its own (Search:KeywordSourceWeight). Chunks written before this migration
-- have an empty source until their document is processed again.
ALTER TABLE knowledge_chunks ADD COLUMN source TEXT NOT NULL DEFAULT '';
DROP TRIGGER knowledge_chunks_ai;
DROP TRIGGER knowledge_chunks_ad;
DROP TABLE knowledge_chunks_fts;
CREATE VIRTUAL TABLE knowledge_chunks_fts USING fts5(
    text, source, content='knowledge_chunks', content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER knowledge_chunks_ai AFTER INSERT ON knowledge_chunks BEGIN
    INSERT INTO knowledge_chunks_fts (rowid, text, source) VALUES (new.seq, new.text, new.source);
END;
CREATE TRIGGER knowledge_chunks_ad AFTER DELETE ON knowledge_chunks BEGIN
    INSERT INTO knowledge_chunks_fts (knowledge_chunks_fts, rowid, text, source) VALUES ('delete', old.seq, old.text, old.source);
END;
INSERT INTO knowledge_chunks_fts (knowledge_chunks_fts) VALUES ('rebuild');
