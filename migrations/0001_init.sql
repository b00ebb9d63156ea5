-- Schema 1: the encrypted store.
-- Never edit a migration that has shipped: add the next numbered file instead.
-- Clear columns hold only opaque ids, kinds, versions, key ids and counters. Everything a
-- person entered is in a `sealed` column, sealed in Rust before it reaches SQL.

-- Store-wide values: the store id, the salt for user-name tags, the lock-screen directory
-- key, and the check values sealed under each data key.
CREATE TABLE meta (
  name  TEXT PRIMARY KEY,
  value BLOB NOT NULL
) STRICT;

-- The data keys, each sealed (wrapped) under the master key.
-- scope 'main' seals everything; scope 'ward' seals what emergency access may open.
CREATE TABLE data_keys (
  key_id  INTEGER PRIMARY KEY,
  scope   TEXT NOT NULL UNIQUE CHECK (scope IN ('main', 'ward')),
  wrapped BLOB NOT NULL
) STRICT;

CREATE TABLE users (
  user_id  TEXT PRIMARY KEY,
  name_tag BLOB NOT NULL UNIQUE,      -- SHA-256(tag salt, normalised name): finds a user by name
  version  INTEGER NOT NULL,
  sealed   BLOB NOT NULL,             -- name, role, must-change flag: under the main key
  label    BLOB NOT NULL              -- the lock-screen name: under the directory key
) STRICT;

-- Unlock slots. A 'user' or 'recovery' slot wraps the master key; the 'emergency' slot
-- wraps only the ward data key.
CREATE TABLE slots (
  slot_id    TEXT PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('user', 'recovery', 'emergency')),
  user_id    TEXT UNIQUE REFERENCES users (user_id) ON DELETE CASCADE,
  iterations INTEGER NOT NULL,
  salt       BLOB NOT NULL,
  wrapped    BLOB NOT NULL,
  CHECK ((kind = 'user') = (user_id IS NOT NULL))
) STRICT;

-- Failed unlocks, so the growing delay survives a restart.
CREATE TABLE throttle (
  gate         TEXT PRIMARY KEY CHECK (gate IN ('unlock', 'emergency')),
  failures     INTEGER NOT NULL,
  last_failure INTEGER NOT NULL        -- unix milliseconds
) STRICT;

-- Everything else a person enters, one sealed document per row.
CREATE TABLE records (
  record_id TEXT PRIMARY KEY,
  kind      TEXT NOT NULL,
  scope     TEXT NOT NULL CHECK (scope IN ('main', 'ward')),
  version   INTEGER NOT NULL,
  sealed    BLOB NOT NULL
) STRICT;
CREATE INDEX records_by_kind ON records (kind);

-- Uses of emergency access, kept until the activity log takes them over. Append-only.
CREATE TABLE access_events (
  seq    INTEGER PRIMARY KEY AUTOINCREMENT,
  kind   TEXT NOT NULL,
  sealed BLOB NOT NULL                -- under the ward key
) STRICT;
