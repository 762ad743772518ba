-- Failed-login throttling per email, whether or not an account exists, so lockout reveals nothing.
-- Key: SHA-256 of the normalised email; times are Unix milliseconds so the atomic upsert can compare them.
CREATE TABLE login_throttle (
    email_key text PRIMARY KEY,
    failures integer NOT NULL,
    locked_until_ms bigint NOT NULL,
    updated_ms bigint NOT NULL
);
CREATE INDEX ix_login_throttle_updated ON login_throttle (updated_ms);

-- Relationships are by invitation: a pending invitation becomes a row of relationships when the student accepts.
-- Existing relationships predate invitations and stay active.
ALTER TABLE relationships ADD COLUMN accepted_at timestamptz NULL;
UPDATE relationships SET accepted_at = created_at WHERE accepted_at IS NULL;

CREATE TABLE relationship_invitations (
    id uuid PRIMARY KEY,
    teacher_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    student_email text NULL,
    student_email_normalized text NULL,
    student_id uuid NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CHECK ((student_email_normalized IS NULL) <> (student_id IS NULL))
);
CREATE INDEX ix_relationship_invitations_teacher ON relationship_invitations (teacher_id);
CREATE INDEX ix_relationship_invitations_email ON relationship_invitations (student_email_normalized);
CREATE INDEX ix_relationship_invitations_student ON relationship_invitations (student_id);
