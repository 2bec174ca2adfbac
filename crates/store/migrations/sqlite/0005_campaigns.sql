-- Special actions (专项行动): a campaign's scope, stages and targets. Hazards point to the
-- campaign they were found in (hazard.campaign_id).

CREATE TABLE campaign (
    region_code TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    regions TEXT NOT NULL,
    sectors TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    stages TEXT NOT NULL,
    targets TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    CONSTRAINT campaign_pk PRIMARY KEY (region_code, id)
);
CREATE INDEX campaign_id_ix ON campaign (id);
CREATE INDEX hazard_campaign_ix ON hazard (campaign_id, region_code);
