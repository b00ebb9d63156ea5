-- Schema 3: the workstation's activity log (see src/log.rs). Append-only.
-- One row per entry: its line sealed under the main key (bound to seq), and, in clear, the
-- hash of that line and the signed checkpoint of the log up to it (no user data in either).
CREATE TABLE log_entries (
  seq        INTEGER PRIMARY KEY,
  sealed     BLOB NOT NULL,
  head       TEXT NOT NULL,
  checkpoint TEXT NOT NULL
) STRICT;

-- The database refuses deletes and any change but re-sealing (a key rotation re-seals an
-- entry's bytes in place; its content is bound by the hash chain and the checkpoints).
CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
CREATE TRIGGER log_entries_no_change BEFORE UPDATE OF seq, head, checkpoint ON log_entries
BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
