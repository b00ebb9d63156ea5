//! What the insider tests (`keys`, `attribution`) share: a workstation's store made with
//! the CLI as users make it, and what one person's passphrase gives someone who also holds
//! the store file: their seed and every key wrapped to it (rusqlite and `caregiver::crypto`
//! only, as sqlite3 and a few lines of code would).

use std::path::PathBuf;

use caregiver::crypto::{self, Binding, BoxSecret, SealingKey, SecretKey};
use rusqlite::{Connection, params};

use crate::support::{caregiver, run};

pub const ADMIN: &str = "Ada Admin";
pub const ADMIN_PASS: &[u8] = b"correct horse battery staple";

/// A workstation's store, made with the CLI.
pub struct Ward {
    pub tmp: tempfile::TempDir,
    pub store: PathBuf,
}

impl Ward {
    /// A new store whose first admin is Ada.
    pub fn with_admin() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let store = tmp.path().join("data").join("caregiver.db");
        let ward = Ward { tmp, store };
        let ada = ward.secret("ada", ADMIN_PASS);
        ward.ok(&["init", "--admin", ADMIN, "--passphrase-file", &ada]);
        ward
    }

    /// Ada adds `name` with `role` and a first passphrase; they then set their own, `own`.
    pub fn add(&self, name: &str, role: &str, own: &[u8]) {
        let first = self.secret("first", b"first passphrase 12");
        self.as_user(
            ADMIN,
            ADMIN_PASS,
            &["user", "add", name, "--role", role, "--new-passphrase-file", &first],
        );
        let own = self.secret("own", own);
        self.as_user(
            name,
            b"first passphrase 12",
            &["user", "passwd", name, "--new-passphrase-file", &own],
        );
    }

    pub fn secret(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.tmp.path().join(format!("{name}.secret"));
        std::fs::write(&path, bytes).unwrap();
        path.to_string_lossy().into_owned()
    }

    pub fn path(&self, name: &str) -> String {
        self.tmp.path().join(name).to_string_lossy().into_owned()
    }

    pub fn cli(&self, args: &[&str]) -> (i32, String, String) {
        run(caregiver(self.tmp.path()).args(args))
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.cli(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    }

    pub fn as_user_run(&self, name: &str, pass: &[u8], args: &[&str]) -> (i32, String, String) {
        let file = self.secret("auth", pass);
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--user", name, "--passphrase-file", &file]);
        self.cli(&all)
    }

    pub fn as_user(&self, name: &str, pass: &[u8], args: &[&str]) -> String {
        let (code, out, err) = self.as_user_run(name, pass, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    }

    /// The file, as the insider's tool opens it.
    pub fn conn(&self) -> Connection {
        let conn = Connection::open(&self.store).unwrap();
        // sqlite3 enforces no foreign key unless asked: neither does the attacker's tool.
        conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        conn
    }
}

/// The user id of `name`, found as the app finds it (by the name's salted tag).
pub fn user_id(conn: &Connection, name: &str) -> String {
    let salt: Vec<u8> =
        conn.query_row("SELECT value FROM meta WHERE name = 'tag_salt'", [], |r| r.get(0)).unwrap();
    let tag = crypto::sha256(&[&salt, name.to_lowercase().as_bytes()]);
    conn.query_row("SELECT user_id FROM users WHERE name_tag = ?1", [tag.as_slice()], |r| r.get(0))
        .unwrap()
}

/// What one person's passphrase gives the insider: their seed, and through it every key
/// wrapped to them.
pub struct Insider {
    pub id: String,
    pub seed: SecretKey,
}

impl Insider {
    pub fn open(conn: &Connection, name: &str, pass: &[u8]) -> Self {
        let id = user_id(conn, name);
        let (iterations, salt, wrapped): (u32, Vec<u8>, Vec<u8>) = conn
            .query_row(
                "SELECT iterations, salt, wrapped FROM holders WHERE holder_id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        let kek = SealingKey::new(0, &SecretKey::from_passphrase(pass, &salt, iterations)).unwrap();
        let at = Binding { domain: "holder", table: "holders", row: &id, version: 0 };
        let plain = kek.open(&at, &wrapped).unwrap();
        Insider { seed: SecretKey::from_slice(&plain[..32]).unwrap(), id }
    }

    /// A key wrapped to this person: (key id, secret), or `None` if they hold none of it.
    pub fn key(&self, conn: &Connection, name: &str) -> Option<(u32, SecretKey)> {
        let (key_id, wrapped): (i64, Vec<u8>) = conn
            .query_row(
                "SELECT key_id, wrapped FROM key_wraps WHERE name = ?1 AND holder_id = ?2",
                params![name, self.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok()?;
        let at = Binding { domain: "key-wrap", table: name, row: &self.id, version: key_id };
        let secret = BoxSecret::from_seed(&self.seed).open(&at, &wrapped).unwrap();
        Some((u32::try_from(key_id).unwrap(), secret))
    }

    pub fn main_key(&self, conn: &Connection) -> SealingKey {
        let (id, secret) = self.key(conn, "main").unwrap();
        SealingKey::new(id, &secret).unwrap()
    }
}
