-- How many hazards each region holds in each status and grade, kept with every write of a
-- hazard (`store::hazard`), so that the ledger's count for a jurisdiction, a status or a grade
-- is a sum of a few rows rather than a walk over every hazard (a county's 10,000, a province's
-- 2,000,000).
CREATE TABLE hazard_tally (
    region_code TEXT NOT NULL,
    status TEXT NOT NULL,
    grade TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (region_code, status, grade)
);

INSERT INTO hazard_tally (region_code, status, grade, n)
SELECT region_code, status, grade, COUNT(*) FROM hazard GROUP BY region_code, status, grade;
