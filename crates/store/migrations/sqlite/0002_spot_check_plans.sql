-- Spot-check plans ("double random, one public") and declared conflicts of interest.
-- The secret column is never returned by any query before the plan is drawn.

CREATE TABLE spot_check_plan (
    region_code TEXT NOT NULL,
    id TEXT NOT NULL,
    plan_no TEXT NOT NULL,
    name TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    sectors TEXT NOT NULL,
    quotas TEXT NOT NULL,
    team_size INTEGER NOT NULL,
    check_items TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    committed_at INTEGER,
    drawn_at INTEGER,
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
    region_code TEXT NOT NULL,
    id TEXT NOT NULL,
    badge_no TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT officer_conflict_pk PRIMARY KEY (region_code, id),
    CONSTRAINT officer_conflict_pair_uq UNIQUE (badge_no, credit_code)
);
