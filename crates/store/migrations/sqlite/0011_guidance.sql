-- Focused guidance (督导): multi-department groups sent to counties, the counties' quarterly
-- control targets, and the issues a group raises with a county government — handed over and
-- tracked exactly like a covert check's problems (covert_problem rows of kind 'guidance').

CREATE TABLE guidance_group (
    region_code TEXT NOT NULL,
    id TEXT NOT NULL,
    group_no TEXT NOT NULL,
    name TEXT NOT NULL,
    county TEXT NOT NULL,
    members TEXT NOT NULL,
    reasons TEXT NOT NULL,
    visit_on TEXT NOT NULL,
    visited_at TEXT,
    summary TEXT,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT guidance_group_pk PRIMARY KEY (region_code, id),
    CONSTRAINT guidance_group_no_uq UNIQUE (group_no)
);
CREATE INDEX guidance_group_id_ix ON guidance_group (id);
CREATE INDEX guidance_group_county_ix ON guidance_group (county);

CREATE TABLE control_target (
    region_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    max_accidents INTEGER,
    max_deaths INTEGER,
    set_by TEXT NOT NULL,
    set_at INTEGER NOT NULL,
    CONSTRAINT control_target_pk PRIMARY KEY (region_code, year)
);

ALTER TABLE covert_problem ADD COLUMN kind TEXT NOT NULL DEFAULT 'covert';
