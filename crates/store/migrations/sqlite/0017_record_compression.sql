-- PostgreSQL only (lz4 compression of draw records); SQLite stores text uncompressed. Kept so
-- that both backends have the same migration numbers.
SELECT 1;
