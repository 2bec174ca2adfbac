-- Cross-inspection rounds (交叉互查): the city's counties grouped in one cycle by the verifiable
-- grouping of docs/specs/random-draw.md §5; each pair's targets and team are a spot-check plan
-- (round_id set) of the inspected county drawn from the visiting county's officers.

CREATE TABLE cross_round (
    region_code TEXT NOT NULL,
    id TEXT NOT NULL,
    round_no TEXT NOT NULL,
    name TEXT NOT NULL,
    date_from TEXT NOT NULL,
    date_to TEXT NOT NULL,
    participants TEXT NOT NULL,
    team_size INTEGER NOT NULL,
    quotas TEXT NOT NULL,
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
    pairs TEXT,
    CONSTRAINT cross_round_pk PRIMARY KEY (region_code, id),
    CONSTRAINT cross_round_no_uq UNIQUE (round_no)
);
CREATE INDEX cross_round_id_ix ON cross_round (id);

ALTER TABLE spot_check_plan ADD COLUMN round_id TEXT;
ALTER TABLE spot_check_plan ADD COLUMN inspector_region TEXT;
CREATE INDEX spot_check_plan_round_ix ON spot_check_plan (round_id);
CREATE INDEX spot_check_plan_inspector_ix ON spot_check_plan (inspector_region);
