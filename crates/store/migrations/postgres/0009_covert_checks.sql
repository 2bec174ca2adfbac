-- Covert checks (四不两直): sealed plans, their problems and the handovers of those problems.
-- A plan's name, dates, targets, draw record and visit record are sealed (encrypted with a key
-- kept outside the database: columns `sealed` and `visit`), so a dump does not reveal them.

CREATE TABLE covert_plan (
    region_code TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    plan_no TEXT COLLATE "C" NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sealed TEXT NOT NULL,
    visit TEXT,
    done_by TEXT,
    done_at BIGINT,
    CONSTRAINT covert_plan_pk PRIMARY KEY (region_code, id),
    CONSTRAINT covert_plan_no_uq UNIQUE (plan_no)
);
CREATE INDEX covert_plan_id_ix ON covert_plan (id);

-- The planning team: who may see the plan while it is sealed.
CREATE TABLE covert_member (
    region_code TEXT COLLATE "C" NOT NULL,
    plan_id TEXT COLLATE "C" NOT NULL,
    username TEXT COLLATE "C" NOT NULL,
    CONSTRAINT covert_member_pk PRIMARY KEY (plan_id, username)
);
CREATE INDEX covert_member_user_ix ON covert_member (username);

-- The regions a done plan concerns (visited enterprises, bodies handed problems): written when
-- the visit is recorded, never while the plan is sealed.
CREATE TABLE covert_concerned (
    region_code TEXT COLLATE "C" NOT NULL,
    plan_id TEXT COLLATE "C" NOT NULL,
    CONSTRAINT covert_concerned_pk PRIMARY KEY (plan_id, region_code)
);
CREATE INDEX covert_concerned_region_ix ON covert_concerned (region_code);

-- A problem found on a visit. region_code is the responsible region (the body handed the
-- problem, else the enterprise's county). Handover columns are NULL when nobody was handed it.
CREATE TABLE covert_problem (
    region_code TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    problem_no TEXT COLLATE "C" NOT NULL,
    plan_id TEXT COLLATE "C" NOT NULL,
    plan_region TEXT COLLATE "C" NOT NULL,
    description TEXT NOT NULL,
    enterprise_id TEXT COLLATE "C",
    enterprise_name TEXT,
    hazard_id TEXT COLLATE "C",
    department TEXT,
    deadline TEXT,
    handover_status TEXT,
    answer TEXT,
    recheck_on TEXT,
    recheck_result TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT covert_problem_pk PRIMARY KEY (region_code, id),
    CONSTRAINT covert_problem_no_uq UNIQUE (problem_no)
);
CREATE INDEX covert_problem_id_ix ON covert_problem (id);
CREATE INDEX covert_problem_plan_ix ON covert_problem (plan_id);

-- The handover's timeline: every answer, acceptance, return and re-check (never updated).
CREATE TABLE covert_event (
    region_code TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    problem_id TEXT COLLATE "C" NOT NULL,
    action TEXT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    CONSTRAINT covert_event_pk PRIMARY KEY (region_code, id)
);
CREATE INDEX covert_event_problem_ix ON covert_event (problem_id, at);
