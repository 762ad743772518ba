CREATE TABLE knowledge_documents (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    source_type TEXT NOT NULL CHECK (source_type IN ('pdf','web','video','text')),
    is_public INTEGER NOT NULL DEFAULT 0,
    source_url TEXT NULL,
    filename TEXT NULL,
    storage_key TEXT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    stage TEXT NULL,
    progress_done INTEGER NOT NULL DEFAULT 0,
    progress_total INTEGER NOT NULL DEFAULT 0,
    chunk_count INTEGER NOT NULL DEFAULT 0,
    page_count INTEGER NULL,
    error_code TEXT NULL,
    error_message TEXT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    processed_at TEXT NULL
);
CREATE INDEX ix_knowledge_documents_owner ON knowledge_documents (owner_id);
CREATE INDEX ix_knowledge_documents_public ON knowledge_documents (is_public);

CREATE TABLE knowledge_chunks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    document_id TEXT NOT NULL REFERENCES knowledge_documents(id) ON DELETE CASCADE,
    chunk_index INTEGER NOT NULL,
    text TEXT NOT NULL,
    page_number INTEGER NOT NULL,
    page_end INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    start_seconds REAL NULL,
    token_count INTEGER NOT NULL,
    embedding BLOB NOT NULL
);
CREATE INDEX ix_knowledge_chunks_document ON knowledge_chunks (document_id, chunk_index);

-- Full-text index over chunk text (external content: the text lives once, in knowledge_chunks).
CREATE VIRTUAL TABLE knowledge_chunks_fts USING fts5(
    text, content='knowledge_chunks', content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER knowledge_chunks_ai AFTER INSERT ON knowledge_chunks BEGIN
    INSERT INTO knowledge_chunks_fts (rowid, text) VALUES (new.seq, new.text);
END;
CREATE TRIGGER knowledge_chunks_ad AFTER DELETE ON knowledge_chunks BEGIN
    INSERT INTO knowledge_chunks_fts (knowledge_chunks_fts, rowid, text) VALUES ('delete', old.seq, old.text);
END;

CREATE TABLE ingestion_jobs (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES knowledge_documents(id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 3,
    run_after TEXT NOT NULL,
    lease_owner TEXT NULL,
    lease_expires_at TEXT NULL,
    last_error TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_ingestion_jobs_pick ON ingestion_jobs (status, run_after);
CREATE INDEX ix_ingestion_jobs_document ON ingestion_jobs (document_id);
