-- SQLite only (there, credit-code uniqueness became a unique index that a bulk load may
-- rebuild). PostgreSQL keeps its constraint: its imports already meet their target with it,
-- and a COPY maintains the index in bulk. Present so both backends keep the same numbers.
SELECT 1;
