-- Draw records without rewriting them (spot-check plans and cross-inspection rounds).
-- The record published at commit holds every candidate (about 50 MB for a province-wide
-- plan). It now lives in its own row of `draw_record`, written once at commit and never
-- updated; before, it sat in the plan's row, and SQLite rewrites a whole row, overflow pages
-- included, on every update of any column (the draw's status change copied 50 MB). The draw
-- stores only what the reveal produced (secret, beacon, seed, assignments, result digest) in
-- the plan's `reveal`; the full published record is the committed record's text followed by
-- those members (domain::draw::record::join_record). Plans drawn before keep their full
-- record in `record`, which readers prefer when present.
CREATE TABLE draw_record (
    region_code TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    committed_record TEXT NOT NULL,
    CONSTRAINT draw_record_pk PRIMARY KEY (region_code, owner_id)
);
INSERT INTO draw_record (region_code, owner_id, committed_record)
    SELECT region_code, id, committed_record FROM spot_check_plan WHERE committed_record IS NOT NULL;
INSERT INTO draw_record (region_code, owner_id, committed_record)
    SELECT region_code, id, committed_record FROM cross_round WHERE committed_record IS NOT NULL;
UPDATE spot_check_plan SET committed_record = NULL WHERE committed_record IS NOT NULL;
UPDATE cross_round SET committed_record = NULL WHERE committed_record IS NOT NULL;
ALTER TABLE spot_check_plan ADD COLUMN reveal TEXT;
DO $$
BEGIN
    ALTER TABLE draw_record ALTER COLUMN committed_record SET COMPRESSION lz4;
    ALTER TABLE spot_check_plan ALTER COLUMN reveal SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END
$$;
