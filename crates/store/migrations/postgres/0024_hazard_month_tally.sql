-- How many hazards each region reported in each month (China Standard Time, UTC+8) that are
-- now in each status, split by what the figures tell apart: major hazards found in a special
-- action, and hazards found by cross-inspections. Kept with every write of a hazard
-- (`store::hazard`) like `hazard_tally`, so that a dashboard's quarter is a sum of a few
-- rows per region rather than a pass over every hazard reported in it (a county's 900, a
-- province's 170,000). The month is `domain::period::month_of_ms` of the report time.
CREATE TABLE hazard_month_tally (
    region_code TEXT NOT NULL,
    month TEXT NOT NULL,
    status TEXT NOT NULL,
    major_in_campaign BIGINT NOT NULL,
    cross_inspection BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (region_code, month, status, major_in_campaign, cross_inspection)
);

INSERT INTO hazard_month_tally (region_code, month, status, major_in_campaign, cross_inspection, n)
SELECT region_code, month, status, major_in_campaign, cross_inspection, COUNT(*) AS n FROM (
    SELECT region_code, to_char(to_timestamp(reported_at / 1000 + 28800) AT TIME ZONE 'UTC', 'YYYY-MM') AS month, status,
           CASE WHEN grade = 'major' AND campaign_id IS NOT NULL THEN 1 ELSE 0 END AS major_in_campaign,
           CASE WHEN source = 'cross_inspection' THEN 1 ELSE 0 END AS cross_inspection
    FROM hazard
) h GROUP BY region_code, month, status, major_in_campaign, cross_inspection;
