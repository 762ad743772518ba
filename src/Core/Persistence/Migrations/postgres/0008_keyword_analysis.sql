-- Keyword analysis moves from PostgreSQL's 'english' text-search configuration (Snowball stemmer and stop words) to
-- the analysis of SQLite's FTS5 table (porter unicode61 remove_diacritics 2), done by the application
-- (KeywordAnalyzer), so both providers index and rank the same tokens. The application writes the tsvector (its
-- lexemes and 1-based token positions) and the chunk's length in tokens (BM25's document length). Rows written
-- before this migration are analysed by the application at start-up (tsv IS NULL, see PostgresKnowledgeIndex).
DROP INDEX IF EXISTS ix_knowledge_chunks_tsv;
ALTER TABLE knowledge_chunks DROP COLUMN tsv;
ALTER TABLE knowledge_chunks ADD COLUMN tsv tsvector NULL;
ALTER TABLE knowledge_chunks ADD COLUMN keyword_length integer NULL;
CREATE INDEX ix_knowledge_chunks_tsv ON knowledge_chunks USING gin (tsv);
CREATE INDEX ix_knowledge_chunks_unanalysed ON knowledge_chunks (seq) WHERE tsv IS NULL;
-- BM25's corpus statistics (row count and average length, over the whole table as FTS5 keeps them) are read on every
-- keyword search: from this small index (index-only scan) rather than the chunk rows with their text and vectors.
CREATE INDEX ix_knowledge_chunks_keyword_length ON knowledge_chunks (keyword_length) WHERE tsv IS NOT NULL;
