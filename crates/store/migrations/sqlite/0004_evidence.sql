-- Evidence files: content-addressed by SM3 (the bytes live outside the database, in the
-- evidence directory), and the hazards each file is attached to.

CREATE TABLE evidence (
    region_code TEXT NOT NULL,
    sm3 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at INTEGER NOT NULL,
    CONSTRAINT evidence_pk PRIMARY KEY (region_code, sm3)
);
CREATE INDEX evidence_sm3_ix ON evidence (sm3);

CREATE TABLE hazard_evidence (
    region_code TEXT NOT NULL,
    hazard_id TEXT NOT NULL,
    sm3 TEXT NOT NULL,
    attached_at INTEGER NOT NULL,
    CONSTRAINT hazard_evidence_pk PRIMARY KEY (region_code, hazard_id, sm3)
);
CREATE INDEX hazard_evidence_sm3_ix ON hazard_evidence (sm3);
