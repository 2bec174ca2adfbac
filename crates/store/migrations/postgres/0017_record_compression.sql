-- Draw records are large (a province-wide plan's record is about 50 MB of JSON, stored twice:
-- at commit and after the draw). PostgreSQL's default TOAST compression (pglz) took about
-- 230 ms to write such a value and 90 ms to read it back; lz4 takes about 20 ms and 65 ms for a
-- similar size on disk (measured on this machine with a 31 MB record). New values only: records
-- already stored keep their compression, and their text is unchanged either way.
-- A server built without lz4 keeps pglz (the draw is slower, nothing else changes).
DO $$
BEGIN
    ALTER TABLE spot_check_plan
        ALTER COLUMN committed_record SET COMPRESSION lz4,
        ALTER COLUMN record SET COMPRESSION lz4;
    ALTER TABLE cross_round
        ALTER COLUMN committed_record SET COMPRESSION lz4,
        ALTER COLUMN record SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END
$$;
