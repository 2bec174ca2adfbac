-- Administrative penalty cases and their timeline. Money is integer fen.

CREATE TABLE penalty_case (
    region_code TEXT NOT NULL,
    id TEXT NOT NULL,
    case_no TEXT NOT NULL,
    enterprise_id TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    enterprise_name TEXT NOT NULL,
    inspection_id TEXT,
    facts TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    penalty_types TEXT NOT NULL,
    fine_fen INTEGER NOT NULL,
    hearing_right BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    status_since TEXT NOT NULL,
    deadline TEXT,
    decided_on TEXT,
    publish_by TEXT,
    filed_by TEXT NOT NULL,
    filed_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    CONSTRAINT penalty_case_pk PRIMARY KEY (region_code, id),
    CONSTRAINT penalty_case_no_uq UNIQUE (case_no)
);
CREATE INDEX penalty_case_id_ix ON penalty_case (id);
CREATE INDEX penalty_case_decided_ix ON penalty_case (decided_on);

CREATE TABLE penalty_event (
    region_code TEXT NOT NULL,
    case_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL,
    version_after INTEGER NOT NULL,
    CONSTRAINT penalty_event_pk PRIMARY KEY (region_code, case_id, seq)
);
