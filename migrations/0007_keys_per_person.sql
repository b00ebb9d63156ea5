-- Schema 7: keys per person and per role (ARCHITECTURE.md, "Keys per person and role").
--
-- Each person holds an X25519 key pair. Its seed is wrapped under their passphrase (PBKDF2),
-- bound to their user id, with the admins' authority key they trust; its public half is in
-- clear, signed by the admins' authority key. The data keys (main, ward) and the admins'
-- key are each wrapped to the public key of every person who holds them, so an admin
-- re-wraps them for everyone without knowing anyone's passphrase. The recovery key is a
-- holder too. The emergency code keeps its slot in `slots`, wrapping the ward key only.
--
-- Stores from before keep their master-key slots until each person's next unlock moves
-- them (src/store/holders.rs, "legacy"); no row here is needed to open them meanwhile.

CREATE TABLE holders (
  holder_id   TEXT PRIMARY KEY,          -- a user's id, or 'recovery'
  kind        TEXT NOT NULL CHECK (kind IN ('user', 'recovery')),
  public      BLOB NOT NULL,             -- X25519 public key
  iterations  INTEGER NOT NULL,          -- PBKDF2 iterations (0 for the recovery key)
  salt        BLOB NOT NULL,
  wrapped     BLOB NOT NULL,             -- seed and trusted authority key, under the passphrase
  must_change INTEGER NOT NULL,          -- shown by `user list`; the wrapped copy is what counts
  signature   BLOB NOT NULL,             -- the authority's signature over (holder id, public key)
  CHECK ((kind = 'recovery') = (holder_id = 'recovery'))
) STRICT;

-- A key wrapped to one holder: 'main' and 'ward' (data keys), 'admin' (the admins' key),
-- 'legacy' (the master key of a store from before, while a person has not moved yet).
CREATE TABLE key_wraps (
  name      TEXT NOT NULL CHECK (name IN ('main', 'ward', 'admin', 'legacy')),
  holder_id TEXT NOT NULL REFERENCES holders (holder_id) ON DELETE CASCADE,
  key_id    INTEGER NOT NULL,
  wrapped   BLOB NOT NULL,
  PRIMARY KEY (name, holder_id)
) STRICT;

-- The admins' authority keys (Ed25519), each signed by the one before (the first by itself).
CREATE TABLE authorities (
  version   INTEGER PRIMARY KEY,
  public    BLOB NOT NULL,
  signature BLOB NOT NULL
) STRICT;

-- The authority's signature over a user record, and over admin-only records (settings,
-- the pinned pack key).
ALTER TABLE users ADD COLUMN signature BLOB;
ALTER TABLE records ADD COLUMN signature BLOB;
