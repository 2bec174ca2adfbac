-- Inspections (检查记录): who inspected which enterprise when, against which check items,
-- with what outcome; a drawn plan's inspections point to it. Completed inspections count
-- toward the enterprise's annual check cap.

CREATE TABLE inspection (
    region_code TEXT NOT NULL,
    id TEXT NOT NULL,
    inspection_no TEXT NOT NULL,
    plan_id TEXT,
    enterprise_id TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    enterprise_name TEXT NOT NULL,
    inspected_at INTEGER NOT NULL,
    inspected_on TEXT NOT NULL,
    officers TEXT NOT NULL,
    substitutions TEXT NOT NULL,
    items TEXT NOT NULL,
    representative TEXT NOT NULL,
    outcome TEXT NOT NULL,
    hazards TEXT NOT NULL,
    cap_reason TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    CONSTRAINT inspection_pk PRIMARY KEY (region_code, id),
    CONSTRAINT inspection_no_uq UNIQUE (inspection_no)
);
CREATE INDEX inspection_id_ix ON inspection (id);
CREATE INDEX inspection_enterprise_day_ix ON inspection (enterprise_id, inspected_on);
CREATE INDEX inspection_plan_ix ON inspection (plan_id);
