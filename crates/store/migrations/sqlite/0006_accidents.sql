-- Production-safety accidents, graded by BRIEF §6 when recorded. Money is integer fen.

CREATE TABLE accident (
    region_code TEXT NOT NULL,
    id TEXT NOT NULL,
    accident_no TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    occurred_on TEXT NOT NULL,
    enterprise_id TEXT,
    enterprise_name TEXT NOT NULL,
    accident_type TEXT NOT NULL,
    deaths INTEGER NOT NULL,
    serious_injuries INTEGER NOT NULL,
    direct_loss_fen INTEGER NOT NULL,
    grade TEXT NOT NULL,
    description TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    CONSTRAINT accident_pk PRIMARY KEY (region_code, id),
    CONSTRAINT accident_no_uq UNIQUE (accident_no)
);
CREATE INDEX accident_region_day_ix ON accident (region_code, occurred_on);
