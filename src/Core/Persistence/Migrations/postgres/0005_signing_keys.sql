-- Access-token signing keys shared by every API instance. The newest unretired key signs; retired keys stay
-- published in JWKS until every token they signed has expired. Times are Unix seconds (portable across providers).
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    private_key_pem TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT NULL
);
