-- Quarterly evaluation: imported scheme versions (the shipped one lives in the binary) and
-- published runs, frozen with the scheme version and a digest of their inputs.

CREATE TABLE evaluation_scheme (
    version TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    source TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    CONSTRAINT evaluation_scheme_pk PRIMARY KEY (version)
);

CREATE TABLE evaluation_run (
    region_code TEXT NOT NULL,
    id TEXT NOT NULL,
    period TEXT NOT NULL,
    scheme_version TEXT NOT NULL,
    inputs_digest TEXT NOT NULL,
    result TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    CONSTRAINT evaluation_run_pk PRIMARY KEY (region_code, id),
    CONSTRAINT evaluation_run_period_uq UNIQUE (region_code, period)
);
