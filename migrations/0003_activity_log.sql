-- Schema 3: the workstation's activity log (see src/log.rs). Append-only.
CREATE TABLE log_entries (
  seq    INTEGER PRIMARY KEY,
  sealed BLOB NOT NULL                  -- the entry's line, under the main key, bound to seq
) STRICT;

-- One signed checkpoint per commit: size, head hash and the signed line. No user data.
CREATE TABLE log_checkpoints (
  size INTEGER PRIMARY KEY,
  head TEXT NOT NULL,
  line TEXT NOT NULL
) STRICT;

-- The database refuses deletes, and any change of a checkpoint or of an entry's number.
-- (A key rotation re-seals entries' bytes in place; their content is bound by the chain.)
CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
CREATE TRIGGER log_entries_no_renumber BEFORE UPDATE OF seq ON log_entries
BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
CREATE TRIGGER log_checkpoints_no_update BEFORE UPDATE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
