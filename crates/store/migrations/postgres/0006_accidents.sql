-- Production-safety accidents, graded by BRIEF §6 when recorded. Money is integer fen.

CREATE TABLE accident (
    region_code TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    accident_no TEXT COLLATE "C" NOT NULL,
    occurred_at BIGINT NOT NULL,
    occurred_on TEXT NOT NULL,
    enterprise_id TEXT,
    enterprise_name TEXT NOT NULL,
    accident_type TEXT NOT NULL,
    deaths BIGINT NOT NULL,
    serious_injuries BIGINT NOT NULL,
    direct_loss_fen BIGINT NOT NULL,
    grade TEXT NOT NULL,
    description TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    CONSTRAINT accident_pk PRIMARY KEY (region_code, id),
    CONSTRAINT accident_no_uq UNIQUE (accident_no)
);
CREATE INDEX accident_region_day_ix ON accident (region_code, occurred_on);
