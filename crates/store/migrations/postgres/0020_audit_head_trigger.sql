-- The chain head's hash follows its newest entry from a trigger, so that appending an audit
-- entry is two statements instead of three (each a round trip to the database). The
-- condition on `seq` makes the trigger move the head only for the entry the head points at:
-- a restore that inserts old entries in any order leaves the head as it was dumped.
CREATE FUNCTION audit_entry_moves_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_chain_head SET hash = NEW.hash WHERE chain = NEW.chain AND seq = NEW.seq;
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_entry_moves_head AFTER INSERT ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_moves_head();
