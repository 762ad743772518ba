CREATE TABLE knowledge_documents (
    id uuid PRIMARY KEY,
    owner_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title text NOT NULL,
    source_type text NOT NULL CHECK (source_type IN ('pdf','web','video','text')),
    is_public boolean NOT NULL DEFAULT false,
    source_url text NULL,
    filename text NULL,
    storage_key text NULL,
    status text NOT NULL DEFAULT 'pending',
    stage text NULL,
    progress_done integer NOT NULL DEFAULT 0,
    progress_total integer NOT NULL DEFAULT 0,
    chunk_count integer NOT NULL DEFAULT 0,
    page_count integer NULL,
    error_code text NULL,
    error_message text NULL,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    processed_at timestamptz NULL
);
CREATE INDEX ix_knowledge_documents_owner ON knowledge_documents (owner_id);
CREATE INDEX ix_knowledge_documents_public ON knowledge_documents (is_public);

-- The embedding column (vector(n), n = the embedding model's dimension) and its HNSW index are added by the
-- index bootstrap, which records the model id and dimension in index_meta.
CREATE TABLE knowledge_chunks (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id uuid PRIMARY KEY,
    document_id uuid NOT NULL REFERENCES knowledge_documents(id) ON DELETE CASCADE,
    chunk_index integer NOT NULL,
    text text NOT NULL,
    page_number integer NOT NULL,
    page_end integer NOT NULL,
    start_char integer NOT NULL,
    end_char integer NOT NULL,
    start_seconds double precision NULL,
    token_count integer NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED
);
CREATE INDEX ix_knowledge_chunks_document ON knowledge_chunks (document_id, chunk_index);
CREATE INDEX ix_knowledge_chunks_tsv ON knowledge_chunks USING gin (tsv);

CREATE TABLE ingestion_jobs (
    id uuid PRIMARY KEY,
    document_id uuid NOT NULL REFERENCES knowledge_documents(id) ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'queued',
    attempts integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 3,
    run_after timestamptz NOT NULL,
    lease_owner text NULL,
    lease_expires_at timestamptz NULL,
    last_error text NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX ix_ingestion_jobs_pick ON ingestion_jobs (status, run_after);
CREATE INDEX ix_ingestion_jobs_document ON ingestion_jobs (document_id);
