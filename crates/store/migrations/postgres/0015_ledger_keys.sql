-- The ledger's newest-first page without reading every matching hazard.
--
-- A ledger page is sorted by `reported_at DESC, id DESC`. With `id` beside `reported_at` in
-- the region's index, a county's page reads its 50 entries in index order and stops; a city's
-- or the province's page sorts index entries only (`store::hazard::list` picks the page's ids
-- from the index first, then reads those 50 rows). `deadline` joins the columns the figures
-- already read, so that the overdue filter is answered from the index too.
DROP INDEX hazard_region_reported_ix;
CREATE INDEX hazard_region_reported_ix ON hazard (region_code, reported_at, id, grade, status, source, campaign_id, deadline);
