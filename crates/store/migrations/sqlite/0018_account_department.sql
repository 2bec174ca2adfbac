-- A department regulator's account names its department: it sees the enterprise-level records
-- (enterprises, hazards, inspections, penalties, accidents) of its department's sectors only.
-- Accounts of other roles leave it empty; a regulator account created before this migration
-- has none and sees no enterprise records until an administrator creates it anew.
ALTER TABLE app_user ADD COLUMN department TEXT;
