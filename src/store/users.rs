//! Users, roles and their unlock slots. Role checks live here, in the core.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::{
    KEK_ID, Permission, Session, get_meta, open_json, random_id, seal_json, wrap_under_passphrase,
};
use crate::crypto::{self, Binding, PBKDF2_ITERATIONS, SealingKey, SecretKey};
use crate::{Error, Result};

/// The fewest characters in a passphrase.
pub const MIN_PASSPHRASE_CHARS: usize = 12;
const MAX_PASSPHRASE_BYTES: usize = 1024;
const MAX_NAME_CHARS: usize = 64;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads playbooks, works through steps, logs observations.
    Clinician,
    /// As clinician; acknowledges training.
    Staff,
    /// Runs incidents: starts playbooks, assigns roles, exports the log.
    Lead,
    /// Keeps the plan: users, packs, contacts, training, the emergency code.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Clinician, Role::Staff, Role::Lead, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clinician => "clinician",
            Role::Staff => "staff",
            Role::Lead => "lead",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| Error::Invalid {
            what: "role",
            reason: "must be clinician, staff, lead or admin".into(),
        })
    }
}

/// A user as `user list` shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserInfo {
    pub name: String,
    pub role: Role,
    pub must_change_passphrase: bool,
    /// The user's department (training is assigned and reported by department).
    pub department: Option<String>,
    /// When the user was added (`None` for users added before this was kept).
    pub added: Option<chrono::DateTime<chrono::Utc>>,
}

/// The sealed part of a user row.
#[derive(Serialize, Deserialize)]
struct UserDoc {
    name: String,
    role: Role,
    must_change: bool,
    /// Absent from rows written before departments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    added: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug)]
pub(super) struct CurrentUser {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// As the user's record says.
    pub must_change: bool,
    /// Signed in with the recovery key: a new passphrase first, whatever the record says.
    pub forced_change: bool,
    /// The user record's version when `role` and `must_change` were read.
    pub version: i64,
}

pub(super) fn check_name(name: &str) -> Result<()> {
    let name = name.trim();
    let reason = if name.is_empty() {
        "is empty"
    } else if name.chars().count() > MAX_NAME_CHARS {
        "is longer than 64 characters"
    } else if name.chars().any(char::is_control) {
        "contains a control character"
    } else {
        return Ok(());
    };
    Err(Error::Invalid { what: "user name", reason: reason.into() })
}

pub(super) fn check_passphrase(passphrase: &[u8]) -> Result<()> {
    let text = std::str::from_utf8(passphrase)
        .map_err(|_| Error::Invalid { what: "passphrase", reason: "is not UTF-8 text".into() })?;
    if text.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::Invalid {
            what: "passphrase",
            reason: format!("needs at least {MIN_PASSPHRASE_CHARS} characters"),
        });
    }
    if passphrase.len() > MAX_PASSPHRASE_BYTES {
        return Err(Error::Invalid {
            what: "passphrase",
            reason: "is longer than 1024 bytes".into(),
        });
    }
    Ok(())
}

/// The salted tag of a name as typed: finds the user's slot, and counts failed unlocks.
pub(super) fn name_tag(conn: &Connection, name: &str) -> Result<[u8; 32]> {
    let salt = get_meta(conn, "tag_salt")?.unwrap_or_default();
    Ok(crypto::sha256(&[&salt, name.trim().to_lowercase().as_bytes()]))
}

fn directory_key(conn: &Connection) -> Result<SealingKey> {
    let bytes = get_meta(conn, "directory_key")?.unwrap_or_default();
    let secret = SecretKey::from_slice(&bytes)
        .map_err(|_| Error::Damaged { what: "the lock-screen directory key".into() })?;
    Ok(SealingKey::new(KEK_ID, &secret)?)
}

fn user_binding(user_id: &str, version: i64) -> Binding<'_> {
    Binding { domain: "user", table: "users", row: user_id, version }
}

fn label_binding(user_id: &str) -> Binding<'_> {
    Binding { domain: "label", table: "users", row: user_id, version: 0 }
}

/// A user to add: who, with which role, and whether their first passphrase must change.
#[derive(Debug, Clone, Copy)]
pub(super) struct NewUser<'a> {
    pub name: &'a str,
    pub role: Role,
    pub must_change: bool,
}

/// Adds a user row and its slot (wrapping `master` under `passphrase`), added at `now`.
pub(super) fn insert(
    tx: &Transaction<'_>,
    main: &SealingKey,
    user: &NewUser<'_>,
    passphrase: &[u8],
    master: &SecretKey,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String> {
    let user_id = random_id()?;
    let slot_id = random_id()?;
    let name = user.name.trim();
    let doc = UserDoc {
        name: name.to_owned(),
        role: user.role,
        must_change: user.must_change,
        department: None,
        added: Some(now),
    };
    let sealed = seal_json(main, &user_binding(&user_id, 1), &doc)?;
    let label = directory_key(tx)?.seal(&label_binding(&user_id), name.as_bytes())?;
    let inserted = tx.execute(
        "INSERT INTO users (user_id, name_tag, version, sealed, label) VALUES (?1, ?2, 1, ?3, ?4)",
        params![user_id, name_tag(tx, name)?.as_slice(), sealed, label],
    );
    match inserted {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            return Err(Error::UserExists);
        }
        other => other.map_err(Error::sql("add a user"))?,
    };
    let (salt, wrapped) = wrap_under_passphrase(&slot_id, passphrase, master)?;
    tx.execute(
        "INSERT INTO slots (slot_id, kind, user_id, iterations, salt, wrapped) VALUES (?1, 'user', ?2, ?3, ?4, ?5)",
        params![slot_id, user_id, PBKDF2_ITERATIONS, salt.as_slice(), wrapped],
    )
    .map_err(Error::sql("add an unlock slot"))?;
    Ok(user_id)
}

/// A user's slot, found by name: (user id, slot id, iterations, salt, wrapped master key).
pub(super) type SlotRow = (String, String, u32, Vec<u8>, Vec<u8>);

pub(super) fn find_slot(conn: &Connection, name: &str) -> Result<Option<SlotRow>> {
    conn.query_row(
        "SELECT u.user_id, s.slot_id, s.iterations, s.salt, s.wrapped
         FROM users u JOIN slots s ON s.user_id = u.user_id WHERE u.name_tag = ?1",
        [name_tag(conn, name)?.as_slice()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )
    .optional()
    .map_err(Error::sql("find a user"))
}

fn read_user(conn: &Connection, main: &SealingKey, user_id: &str) -> Result<(i64, UserDoc)> {
    let (version, sealed): (i64, Vec<u8>) = conn
        .prepare_cached("SELECT version, sealed FROM users WHERE user_id = ?1")
        .and_then(|mut st| st.query_row([user_id], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .map_err(Error::sql("read a user"))?
        .ok_or(Error::UserNotFound)?;
    let doc = open_json(main, &user_binding(user_id, version), &sealed, || {
        format!("the user record {user_id}")
    })?;
    Ok((version, doc))
}

pub(super) fn load_current(
    conn: &Connection,
    main: &SealingKey,
    user_id: &str,
) -> Result<CurrentUser> {
    let (version, doc) = read_user(conn, main, user_id)?;
    Ok(CurrentUser {
        id: user_id.to_owned(),
        name: doc.name,
        role: doc.role,
        must_change: doc.must_change,
        forced_change: false,
        version,
    })
}

/// (role, must change passphrase) of a signed-in user as the store says now. Reads only the
/// record's version while it is unchanged since `user` was read; a removed user's session
/// ends.
pub(super) fn role_now(
    conn: &Connection,
    main: &SealingKey,
    user: &CurrentUser,
) -> Result<(Role, bool)> {
    let version: Option<i64> = conn
        .prepare_cached("SELECT version FROM users WHERE user_id = ?1")
        .and_then(|mut st| st.query_row([&user.id], |r| r.get(0)).optional())
        .map_err(Error::sql("read a user"))?;
    match version {
        None => Err(Error::SessionEnded),
        Some(v) if v == user.version => Ok((user.role, user.must_change)),
        Some(_) => match read_user(conn, main, &user.id) {
            Ok((_, doc)) => Ok((doc.role, doc.must_change)),
            Err(Error::UserNotFound) => Err(Error::SessionEnded),
            Err(e) => Err(e),
        },
    }
}

fn all_users(conn: &Connection, main: &SealingKey) -> Result<Vec<(String, UserDoc)>> {
    let ids: Vec<String> = {
        let mut stmt =
            conn.prepare("SELECT user_id FROM users").map_err(Error::sql("list users"))?;
        stmt.query_map([], |r| r.get(0))
            .map_err(Error::sql("list users"))?
            .collect::<rusqlite::Result<_>>()
            .map_err(Error::sql("list users"))?
    };
    ids.into_iter().map(|id| read_user(conn, main, &id).map(|(_, doc)| (id, doc))).collect()
}

pub(super) fn lock_screen_names(conn: &Connection) -> Result<Vec<String>> {
    let key = directory_key(conn)?;
    let mut stmt =
        conn.prepare("SELECT user_id, label FROM users").map_err(Error::sql("list users"))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))
        .map_err(Error::sql("list users"))?;
    let mut names = Vec::new();
    for row in rows {
        let (id, label) = row.map_err(Error::sql("list users"))?;
        let plain = key
            .open(&label_binding(&id), &label)
            .map_err(|_| Error::Damaged { what: format!("the lock-screen name of user {id}") })?;
        names.push(String::from_utf8_lossy(&plain).into_owned());
    }
    names.sort_by_key(|n| n.to_lowercase());
    Ok(names)
}

impl Session {
    fn user_id_by_name(&self, name: &str) -> Result<String> {
        find_slot(&self.store.conn, name)?.map(|s| s.0).ok_or(Error::UserNotFound)
    }

    /// Adds a user with a first passphrase, which they must change at their first unlock,
    /// and their department if given: one transaction.
    pub fn add_user(
        &mut self,
        name: &str,
        role: Role,
        first_passphrase: &[u8],
        department: Option<&str>,
    ) -> Result<()> {
        self.require(Permission::ManageUsers, "add users")?;
        check_name(name)?;
        check_passphrase(first_passphrase)?;
        let department = check_department(department)?;
        let now = self.now();
        let tx = self.store.conn.transaction().map_err(Error::sql("start adding a user"))?;
        let user = NewUser { name, role, must_change: true };
        let id = insert(&tx, &self.main, &user, first_passphrase, &self.master, now)?;
        if department.is_some() {
            update_user(&tx, &self.main, &id, |doc| {
                doc.department = department.map(str::to_owned)
            })?;
        }
        super::state::seal(&tx, &self.store.state, Some(&self.main), &self.ward)?;
        tx.commit().map_err(Error::sql("commit the new user"))
    }

    /// Every user, sorted by name.
    pub fn list_users(&self) -> Result<Vec<UserInfo>> {
        self.ready()?;
        let mut out: Vec<UserInfo> = all_users(&self.store.conn, &self.main)?
            .into_iter()
            .map(|(_, d)| UserInfo {
                name: d.name,
                role: d.role,
                must_change_passphrase: d.must_change,
                department: d.department,
                added: d.added,
            })
            .collect();
        out.sort_by_key(|u| u.name.to_lowercase());
        Ok(out)
    }

    /// The admins' names, sorted: whose store this is (a restore says so). Needs no
    /// permission and no passphrase change: only the store's own code asks.
    pub(super) fn admin_names(&self) -> Result<Vec<String>> {
        let mut names: Vec<String> = all_users(&self.store.conn, &self.main)?
            .into_iter()
            .filter(|(_, d)| d.role == Role::Admin)
            .map(|(_, d)| d.name)
            .collect();
        names.sort_by_key(|n| n.to_lowercase());
        Ok(names)
    }

    /// Sets (or clears, with `None` or an empty name) a user's department (admins).
    pub fn set_department(&mut self, name: &str, department: Option<&str>) -> Result<()> {
        self.require(Permission::ManageUsers, "set departments")?;
        let department = check_department(department)?;
        let id = self.user_id_by_name(name)?;
        let tx = self.store.conn.transaction().map_err(Error::sql("start setting a department"))?;
        update_user(&tx, &self.main, &id, |doc| doc.department = department.map(str::to_owned))?;
        super::state::seal(&tx, &self.store.state, Some(&self.main), &self.ward)?;
        tx.commit().map_err(Error::sql("commit the department"))
    }

    /// Removes a user and their unlock slot. The last admin cannot be removed, and nobody
    /// removes themselves.
    pub fn remove_user(&mut self, name: &str) -> Result<()> {
        self.require(Permission::ManageUsers, "remove users")?;
        let id = self.user_id_by_name(name)?;
        if id == self.user.id {
            return Err(Error::Invalid {
                what: "user",
                reason: "you cannot remove yourself: ask another admin".into(),
            });
        }
        let tx = self.store.conn.transaction().map_err(Error::sql("start removing a user"))?;
        let (_, doc) = read_user(&tx, &self.main, &id)?;
        if doc.role == Role::Admin {
            let admins =
                all_users(&tx, &self.main)?.iter().filter(|(_, d)| d.role == Role::Admin).count();
            if admins <= 1 {
                return Err(Error::LastAdmin);
            }
        }
        tx.execute("DELETE FROM users WHERE user_id = ?1", [&id])
            .map_err(Error::sql("remove a user"))?;
        super::state::seal(&tx, &self.store.state, Some(&self.main), &self.ward)?;
        tx.commit().map_err(Error::sql("commit the removal"))
    }

    /// Sets a new passphrase for `name` (rewrapping the master key in one transaction).
    /// Users change their own; admins reset anyone's, who must then change it at their next
    /// unlock.
    pub fn change_passphrase(&mut self, name: &str, new_passphrase: &[u8]) -> Result<()> {
        check_passphrase(new_passphrase)?;
        let id = self.user_id_by_name(name)?;
        let is_self = id == self.user.id;
        if !is_self {
            self.require(Permission::ManageUsers, "reset another user's passphrase")?;
        }
        let tx =
            self.store.conn.transaction().map_err(Error::sql("start changing a passphrase"))?;
        let version = update_user(&tx, &self.main, &id, |doc| doc.must_change = !is_self)?;
        let slot_id: String = tx
            .query_row("SELECT slot_id FROM slots WHERE user_id = ?1", [&id], |r| r.get(0))
            .map_err(Error::sql("find an unlock slot"))?;
        let (salt, wrapped) = wrap_under_passphrase(&slot_id, new_passphrase, &self.master)?;
        tx.execute(
            "UPDATE slots SET iterations = ?1, salt = ?2, wrapped = ?3 WHERE slot_id = ?4",
            params![PBKDF2_ITERATIONS, salt.as_slice(), wrapped, slot_id],
        )
        .map_err(Error::sql("rewrap an unlock slot"))?;
        super::state::seal(&tx, &self.store.state, Some(&self.main), &self.ward)?;
        tx.commit().map_err(Error::sql("commit the new passphrase"))?;
        if is_self {
            self.user.must_change = false;
            self.user.forced_change = false;
            self.user.version = version;
        }
        Ok(())
    }
}

/// A department as typed: trimmed; empty means none; otherwise 1 to 64 characters on one
/// line.
fn check_department(department: Option<&str>) -> Result<Option<&str>> {
    let department = department.map(str::trim).filter(|d| !d.is_empty());
    if let Some(d) = department {
        check_name(d).map_err(|_| Error::Invalid {
            what: "department",
            reason: "write 1 to 64 characters on one line".into(),
        })?;
    }
    Ok(department)
}

/// Changes a user's sealed record inside the caller's transaction, as its next version;
/// returns that version.
fn update_user(
    tx: &Connection,
    main: &SealingKey,
    id: &str,
    change: impl FnOnce(&mut UserDoc),
) -> Result<i64> {
    let (version, mut doc) = read_user(tx, main, id)?;
    change(&mut doc);
    let sealed = seal_json(main, &user_binding(id, version + 1), &doc)?;
    tx.execute(
        "UPDATE users SET version = ?1, sealed = ?2 WHERE user_id = ?3",
        params![version + 1, sealed, id],
    )
    .map_err(Error::sql("update a user"))?;
    Ok(version + 1)
}
