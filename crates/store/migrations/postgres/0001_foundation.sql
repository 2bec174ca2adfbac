-- Foundation: reference registers, enterprises, officers, accounts, sessions, audit chain.
-- Instants are BIGINT milliseconds since the Unix epoch (UTC); civil dates are TEXT
-- 'YYYY-MM-DD'. Codes and ids use the C collation so range filters compare bytes. Business tables carry region_code in their primary key (BRIEF §10).

CREATE TABLE region (
    code TEXT COLLATE "C" NOT NULL,
    parent TEXT COLLATE "C",
    level TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    CONSTRAINT region_pk PRIMARY KEY (code)
);

CREATE TABLE department (
    code TEXT COLLATE "C" NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    CONSTRAINT department_pk PRIMARY KEY (code)
);

CREATE TABLE sector (
    code TEXT COLLATE "C" NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    department TEXT NOT NULL,
    CONSTRAINT sector_pk PRIMARY KEY (code)
);

CREATE TABLE enterprise (
    region_code TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    credit_code TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    sector TEXT NOT NULL,
    risk_level TEXT NOT NULL,
    standard_grade TEXT,
    annual_check_cap BIGINT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT enterprise_pk PRIMARY KEY (region_code, id),
    CONSTRAINT enterprise_credit_code_uq UNIQUE (credit_code)
);
-- One index serves the register's filters and the draws' strata (region, then risk, then
-- sector); every extra index costs bulk imports about 10 % (docs/benchmarks.md).
CREATE INDEX enterprise_region_risk_sector_ix ON enterprise (region_code, risk_level, sector);
CREATE INDEX enterprise_id_ix ON enterprise (id);

CREATE TABLE officer (
    region_code TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    badge_no TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    department TEXT NOT NULL,
    cert_valid_until TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT officer_pk PRIMARY KEY (region_code, id),
    CONSTRAINT officer_badge_no_uq UNIQUE (badge_no)
);

CREATE TABLE app_user (
    id TEXT COLLATE "C" NOT NULL,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    region_code TEXT COLLATE "C" NOT NULL,
    enterprise_id TEXT,
    password_hash TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT app_user_pk PRIMARY KEY (id),
    CONSTRAINT app_user_username_uq UNIQUE (username)
);

CREATE TABLE session (
    token_hash TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ended_at BIGINT,
    CONSTRAINT session_pk PRIMARY KEY (token_hash),
    CONSTRAINT session_user_fk FOREIGN KEY (user_id) REFERENCES app_user (id)
);
CREATE INDEX session_user_ix ON session (user_id);

CREATE TABLE audit_entry (
    chain TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    result TEXT NOT NULL,
    request_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    CONSTRAINT audit_entry_pk PRIMARY KEY (chain, seq)
);
CREATE INDEX audit_entry_at_ix ON audit_entry (at_ms);

CREATE TABLE audit_chain_head (
    chain TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    CONSTRAINT audit_chain_head_pk PRIMARY KEY (chain)
);

-- The audit trail is append-only: the database itself refuses to change or remove entries.
CREATE FUNCTION audit_entry_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entry is append-only';
END
$$;
CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse();
