-- The hazard ledger (台账): one row per hazard with its current state, and an append-only
-- event list that is its timeline. Enterprise name and sector are copied in at report time
-- so the ledger filters and exports without joins (and keeps the name as it was).

CREATE TABLE hazard (
    region_code TEXT NOT NULL,
    id TEXT NOT NULL,
    hazard_no TEXT NOT NULL,
    enterprise_id TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    enterprise_name TEXT NOT NULL,
    sector TEXT NOT NULL,
    description TEXT NOT NULL,
    location TEXT NOT NULL,
    grade TEXT NOT NULL,
    criterion TEXT,
    criterion_clause TEXT,
    source TEXT NOT NULL,
    deadline TEXT NOT NULL,
    responsible_unit TEXT NOT NULL,
    responsible_person TEXT NOT NULL,
    status TEXT NOT NULL,
    listed_level TEXT,
    campaign_id TEXT,
    found_by_region TEXT,
    five_implementations TEXT,
    rectification_plan TEXT NOT NULL,
    reported_by TEXT NOT NULL,
    reported_at INTEGER NOT NULL,
    closed_at INTEGER,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT hazard_pk PRIMARY KEY (region_code, id),
    CONSTRAINT hazard_no_uq UNIQUE (hazard_no)
);
CREATE INDEX hazard_id_ix ON hazard (id);
CREATE INDEX hazard_region_status_deadline_ix ON hazard (region_code, status, deadline);
CREATE INDEX hazard_region_reported_ix ON hazard (region_code, reported_at);
CREATE INDEX hazard_enterprise_ix ON hazard (enterprise_id);

CREATE TABLE hazard_event (
    region_code TEXT NOT NULL,
    hazard_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL,
    evidence TEXT NOT NULL,
    version_after INTEGER NOT NULL,
    CONSTRAINT hazard_event_pk PRIMARY KEY (region_code, hazard_id, seq)
);
