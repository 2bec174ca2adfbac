-- Indexes for the figures of BRIEF §9 (dashboards, the evaluation, special-action progress).
-- Each figure reads one region at a time (the regions of a jurisdiction are listed from the
-- region table, `store::scope::region_list_clause`) and finds its rows in an index that holds
-- every column the figure needs, so a province's quarter reads about one index entry per
-- hazard of the quarter instead of every hazard of the province.

-- The period's hazards: found, rectified, major in a special action, from cross-inspections.
DROP INDEX hazard_region_reported_ix;
CREATE INDEX hazard_region_reported_ix ON hazard (region_code, reported_at, grade, status, source, campaign_id);
-- Open major hazards past their deadline.
CREATE INDEX hazard_region_grade_status_deadline_ix ON hazard (region_code, grade, status, deadline);
-- A special action's progress per region, source and grade.
DROP INDEX hazard_campaign_ix;
CREATE INDEX hazard_campaign_ix ON hazard (campaign_id, region_code, source, grade, status, deadline, listed_level, enterprise_id);
-- Inspections and spot-checked enterprises of a period.
CREATE INDEX inspection_region_day_ix ON inspection (region_code, inspected_on, plan_id, enterprise_id);
-- Penalty decisions of a period.
CREATE INDEX penalty_case_region_decided_ix ON penalty_case (region_code, decided_on);

-- Active enterprises per region: the register's size, which every dashboard and evaluation
-- shows (the denominator of spot-check coverage). Counting it from a million-row register on
-- every request costs more than the rest of a province's figures together, so it is kept as a
-- tally, changed in the same transaction as the register (`store::enterprise`).
CREATE TABLE enterprise_tally (
    region_code TEXT PRIMARY KEY,
    active BIGINT NOT NULL
);

INSERT INTO enterprise_tally (region_code, active)
SELECT region_code, COUNT(*) FROM enterprise WHERE status = 'active' GROUP BY region_code;
