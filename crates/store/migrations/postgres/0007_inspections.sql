-- Inspections (检查记录): who inspected which enterprise when, against which check items,
-- with what outcome; a drawn plan's inspections point to it. Completed inspections count
-- toward the enterprise's annual check cap.

CREATE TABLE inspection (
    region_code TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    inspection_no TEXT COLLATE "C" NOT NULL,
    plan_id TEXT,
    enterprise_id TEXT COLLATE "C" NOT NULL,
    credit_code TEXT COLLATE "C" NOT NULL,
    enterprise_name TEXT NOT NULL,
    inspected_at BIGINT NOT NULL,
    inspected_on TEXT NOT NULL,
    officers TEXT NOT NULL,
    substitutions TEXT NOT NULL,
    items TEXT NOT NULL,
    representative TEXT NOT NULL,
    outcome TEXT NOT NULL,
    hazards TEXT NOT NULL,
    cap_reason TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    CONSTRAINT inspection_pk PRIMARY KEY (region_code, id),
    CONSTRAINT inspection_no_uq UNIQUE (inspection_no)
);
CREATE INDEX inspection_id_ix ON inspection (id);
CREATE INDEX inspection_enterprise_day_ix ON inspection (enterprise_id, inspected_on);
CREATE INDEX inspection_plan_ix ON inspection (plan_id);
