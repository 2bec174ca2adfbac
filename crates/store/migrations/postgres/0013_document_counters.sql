-- Document numbers (YH-341522-2023-000123) come from one counter per prefix, taken inside the
-- inserting transaction, instead of counting the region's rows on every insert: that count
-- grew with the table (a county's inspections of a year) and made each insert slower.
-- Every prefix is 15 characters: two letters, the region, the year, three dashes.
CREATE TABLE doc_counter (
    prefix TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);

INSERT INTO doc_counter (prefix, n)
SELECT prefix, MAX(n) FROM (
    SELECT substr(accident_no, 1, 15) AS prefix, CAST(substr(accident_no, 16) AS BIGINT) AS n FROM accident
    UNION ALL SELECT substr(plan_no, 1, 15), CAST(substr(plan_no, 16) AS BIGINT) FROM covert_plan
    UNION ALL SELECT substr(problem_no, 1, 15), CAST(substr(problem_no, 16) AS BIGINT) FROM covert_problem
    UNION ALL SELECT substr(round_no, 1, 15), CAST(substr(round_no, 16) AS BIGINT) FROM cross_round
    UNION ALL SELECT substr(group_no, 1, 15), CAST(substr(group_no, 16) AS BIGINT) FROM guidance_group
    UNION ALL SELECT substr(hazard_no, 1, 15), CAST(substr(hazard_no, 16) AS BIGINT) FROM hazard
    UNION ALL SELECT substr(inspection_no, 1, 15), CAST(substr(inspection_no, 16) AS BIGINT) FROM inspection
    UNION ALL SELECT substr(case_no, 1, 15), CAST(substr(case_no, 16) AS BIGINT) FROM penalty_case
    UNION ALL SELECT substr(plan_no, 1, 15), CAST(substr(plan_no, 16) AS BIGINT) FROM spot_check_plan
) numbered
GROUP BY prefix;
