-- The ledger's other orders read from an index too (measured on the generated province,
-- docs/benchmarks.md): a status sorted by deadline (ties by report time and id) and a grade
-- newest first had to read each candidate's row (a status's page: 516 pages for 50 rows) or
-- walk the region's whole report order to find the grade's rows. With the order's columns in
-- the index, a page reads its index entries and then only its own 50 rows.
DROP INDEX hazard_region_status_deadline_ix;
CREATE INDEX hazard_region_status_deadline_ix ON hazard (region_code, status, deadline, reported_at, id);
CREATE INDEX hazard_region_grade_reported_ix ON hazard (region_code, grade, reported_at, id);
