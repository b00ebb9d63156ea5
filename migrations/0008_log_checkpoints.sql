-- Schema 8: checkpoints at a pace (issue 15). Until now every entry carried its own signed
-- checkpoint; now a checkpoint is signed every so many entries or seconds, and at lock, at
-- a change of session, at incident close and at export (see src/store/activity.rs). The
-- checkpoints move to a table of their own, one row per signed checkpoint (no user data:
-- the log id, size, head, signer fingerprint and signature), append-only like the log.
CREATE TABLE log_checkpoints (
  size INTEGER PRIMARY KEY,
  line TEXT NOT NULL
) STRICT;

INSERT INTO log_checkpoints (size, line) SELECT seq, checkpoint FROM log_entries;

DROP TRIGGER log_entries_no_change;
ALTER TABLE log_entries DROP COLUMN checkpoint;
CREATE TRIGGER log_entries_guard BEFORE UPDATE OF seq, head ON log_entries
BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;

CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
CREATE TRIGGER log_checkpoints_no_change BEFORE UPDATE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
