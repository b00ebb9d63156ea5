-- Schema 6: the store's state, one sealed row per scope (see src/store/state.rs).
-- 'main' (under the main data key): the activity log's size and head, how many
-- emergency-access uses the log has taken in, the pack version in force, and a count and a
-- set digest of the tracked rows (table, id, clear kind, version) of that scope.
-- 'ward' (under the ward data key, so emergency access can keep it current): the last
-- emergency-access use, and the count and set digest of the ward-scope rows.
-- Stores from before this schema get their rows at the first full unlock (trust on first
-- use); until then the table is empty.
CREATE TABLE store_state (
  scope  TEXT PRIMARY KEY CHECK (scope IN ('main', 'ward')),
  sealed BLOB NOT NULL
) STRICT;
