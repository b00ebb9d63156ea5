-- Schema 5: failed unlocks are counted per name tried (by the salted tag of the name, the
-- tag that finds a user's slot; a name that does not exist is counted the same way), so
-- one person's failures delay that name only. Beside them, a count of every failed user
-- unlock, which delays everyone only after many more failures and briefly, and emergency
-- access's own count. The old shared count becomes the count of every failure.
CREATE TABLE failed_unlocks (
  gate         TEXT NOT NULL CHECK (gate IN ('unlock', 'all_unlocks', 'emergency')),
  name_tag     BLOB NOT NULL,           -- the name's tag for 'unlock'; empty for the others
  failures     INTEGER NOT NULL,
  last_failure INTEGER NOT NULL,        -- unix milliseconds
  PRIMARY KEY (gate, name_tag)
) STRICT;

INSERT INTO failed_unlocks (gate, name_tag, failures, last_failure)
SELECT CASE gate WHEN 'unlock' THEN 'all_unlocks' ELSE gate END, x'', failures, last_failure
FROM throttle;

DROP TABLE throttle;
