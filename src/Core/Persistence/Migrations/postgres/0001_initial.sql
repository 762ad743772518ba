CREATE EXTENSION IF NOT EXISTS vector SCHEMA public;

CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    email_normalized text NOT NULL UNIQUE,
    password_hash text NULL,
    display_name text NOT NULL,
    role text NOT NULL CHECK (role IN ('teacher','student','admin')),
    external_issuer text NULL,
    external_subject text NULL,
    failed_logins integer NOT NULL DEFAULT 0,
    locked_until timestamptz NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_users_external ON users (external_issuer, external_subject) WHERE external_subject IS NOT NULL;

CREATE TABLE auth_sessions (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz NULL,
    revoked_reason text NULL
);
CREATE INDEX ix_auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE refresh_tokens (
    id uuid PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES auth_sessions(id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    rotated_at timestamptz NULL
);
CREATE INDEX ix_refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE relationships (
    id uuid PRIMARY KEY,
    teacher_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    student_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    UNIQUE (teacher_id, student_id)
);
CREATE INDEX ix_relationships_student ON relationships (student_id);

CREATE TABLE index_meta (
    key text PRIMARY KEY,
    value text NOT NULL
);
