CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NULL,
    filename TEXT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','ready')),
    file_size_bytes INTEGER NULL,
    page_count INTEGER NULL,
    upload_expires_at TEXT NOT NULL,
    confirmed_at TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_projects_owner ON projects (owner_id, created_at);
CREATE INDEX ix_projects_pending ON projects (status, upload_expires_at);

CREATE TABLE project_access (
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    permission TEXT NOT NULL CHECK (permission IN ('view','edit','admin')),
    granted_by TEXT NULL REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX ix_project_access_user ON project_access (user_id);

CREATE TABLE annotations (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    page_number INTEGER NOT NULL CHECK (page_number >= 1),
    annotation_type TEXT NOT NULL CHECK (annotation_type IN ('highlight','note','drawing')),
    content TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_annotations_project_page ON annotations (project_id, page_number, created_at);

-- Outbox of stored objects to delete: written in the same transaction that removes the rows pointing at them.
CREATE TABLE storage_deletions (
    id TEXT PRIMARY KEY,
    storage_key TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_storage_deletions_due ON storage_deletions (next_attempt_at);
