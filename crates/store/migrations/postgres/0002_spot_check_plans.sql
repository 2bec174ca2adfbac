-- Spot-check plans ("double random, one public") and declared conflicts of interest.
-- The secret column is never returned by any query before the plan is drawn.

CREATE TABLE spot_check_plan (
    region_code TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    plan_no TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    sectors TEXT NOT NULL,
    quotas TEXT NOT NULL,
    team_size BIGINT NOT NULL,
    check_items TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    committed_at BIGINT,
    drawn_at BIGINT,
    inputs_digest TEXT,
    commitment TEXT,
    secret TEXT,
    committed_record TEXT,
    beacon TEXT,
    record TEXT,
    CONSTRAINT spot_check_plan_pk PRIMARY KEY (region_code, id),
    CONSTRAINT spot_check_plan_no_uq UNIQUE (plan_no)
);
CREATE INDEX spot_check_plan_id_ix ON spot_check_plan (id);
CREATE INDEX spot_check_plan_status_ix ON spot_check_plan (status, committed_at);

CREATE TABLE officer_conflict (
    region_code TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    badge_no TEXT COLLATE "C" NOT NULL,
    credit_code TEXT COLLATE "C" NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT officer_conflict_pk PRIMARY KEY (region_code, id),
    CONSTRAINT officer_conflict_pair_uq UNIQUE (badge_no, credit_code)
);
