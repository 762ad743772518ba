CREATE TABLE projects (
    id uuid PRIMARY KEY,
    owner_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title text NOT NULL,
    description text NULL,
    filename text NOT NULL,
    storage_key text NOT NULL UNIQUE,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','ready')),
    file_size_bytes bigint NULL,
    page_count integer NULL,
    upload_expires_at timestamptz NOT NULL,
    confirmed_at timestamptz NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX ix_projects_owner ON projects (owner_id, created_at);
CREATE INDEX ix_projects_pending ON projects (status, upload_expires_at);

CREATE TABLE project_access (
    project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    permission text NOT NULL CHECK (permission IN ('view','edit','admin')),
    granted_by uuid NULL REFERENCES users(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX ix_project_access_user ON project_access (user_id);

CREATE TABLE annotations (
    id uuid PRIMARY KEY,
    project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    author_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    page_number integer NOT NULL CHECK (page_number >= 1),
    annotation_type text NOT NULL CHECK (annotation_type IN ('highlight','note','drawing')),
    content text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX ix_annotations_project_page ON annotations (project_id, page_number, created_at);

-- Outbox of stored objects to delete: written in the same transaction that removes the rows pointing at them.
CREATE TABLE storage_deletions (
    id uuid PRIMARY KEY,
    storage_key text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error text NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX ix_storage_deletions_due ON storage_deletions (next_attempt_at);
