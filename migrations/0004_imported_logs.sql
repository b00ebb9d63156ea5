-- Schema 4: other workstations' activity logs, imported from their bundles for a merged,
-- read-only incident timeline. Each log keeps its header and last checkpoint, so its chain
-- can still be checked on its own.
CREATE TABLE imported_logs (
  log        TEXT PRIMARY KEY,
  header     TEXT NOT NULL,
  size       INTEGER NOT NULL,
  checkpoint TEXT NOT NULL
) STRICT;

CREATE TABLE imported_entries (
  log    TEXT NOT NULL REFERENCES imported_logs (log),
  seq    INTEGER NOT NULL,
  hash   TEXT NOT NULL,                 -- SHA-256 of the line: a re-import must match it
  sealed BLOB NOT NULL,                 -- the line, under the main key
  PRIMARY KEY (log, seq)
) STRICT;

CREATE TRIGGER imported_entries_no_delete BEFORE DELETE ON imported_entries
BEGIN SELECT RAISE(ABORT, 'imported logs are read-only'); END;
CREATE TRIGGER imported_entries_no_change BEFORE UPDATE OF log, seq, hash ON imported_entries
BEGIN SELECT RAISE(ABORT, 'imported logs are read-only'); END;
