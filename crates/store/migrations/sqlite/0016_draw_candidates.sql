-- A spot-check plan's candidates (active enterprises of a jurisdiction, by sector, with their
-- risk level) read from the register's region index alone: the index now also holds the status
-- and the credit code, so a province-wide plan reads a million short index entries instead of
-- a million register rows (`store::plan::candidates`). Same number of b-trees as before: the
-- import pays for wider entries, not for another index.
DROP INDEX enterprise_region_risk_sector_ix;
CREATE INDEX enterprise_region_risk_sector_ix ON enterprise (region_code, risk_level, sector, status, credit_code);
