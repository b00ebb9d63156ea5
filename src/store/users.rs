//! Users, roles and their unlock slots. Role checks live here, in the core.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::holders::{self, Authority, Trust};
use super::{
    KEK_ID, Permission, Session, SignedRows, get_meta, open_signed, random_id, seal_signed,
    sign_rows,
};
use crate::crypto::{self, Binding, SealingKey, SecretKey};
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

/// The sealed part of a user row, signed by the admins' key.
#[derive(Serialize, Deserialize)]
struct UserDoc {
    name: String,
    role: Role,
    /// Read only when a store from before schema 7 moves a person to keys of their own:
    /// since then the flag is kept with the person's sealed seed.
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

/// Adds a user row, signed by `authority`, added at `now`. Their keys are the caller's.
pub(super) fn insert(
    tx: &Connection,
    main: &SealingKey,
    authority: &Authority,
    user: &NewUser<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String> {
    let user_id = random_id()?;
    let name = user.name.trim();
    let doc = UserDoc {
        name: name.to_owned(),
        role: user.role,
        must_change: user.must_change,
        department: None,
        added: Some(now),
    };
    let (sealed, signature) = seal_signed(main, authority, &user_binding(&user_id, 1), &doc)?;
    let label = directory_key(tx)?.seal(&label_binding(&user_id), name.as_bytes())?;
    let inserted = tx.execute(
        "INSERT INTO users (user_id, name_tag, version, sealed, label, signature) VALUES (?1, ?2, 1, ?3, ?4, ?5)",
        params![user_id, name_tag(tx, name)?.as_slice(), sealed, label, signature],
    );
    match inserted {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            return Err(Error::UserExists);
        }
        other => other.map_err(Error::sql("add a user"))?,
    };
    Ok(user_id)
}

/// The user id of a name as typed.
pub(super) fn find_user_id(conn: &Connection, name: &str) -> Result<Option<String>> {
    conn.query_row(
        "SELECT user_id FROM users WHERE name_tag = ?1",
        [name_tag(conn, name)?.as_slice()],
        |r| r.get(0),
    )
    .optional()
    .map_err(Error::sql("find a user"))
}

/// A person's master-key slot in a store from before schema 7: (slot id, iterations,
/// salt, wrapped master key).
pub(super) type LegacySlot = (String, u32, Vec<u8>, Vec<u8>);

pub(super) fn legacy_slot(conn: &Connection, user_id: &str) -> Result<Option<LegacySlot>> {
    conn.query_row(
        "SELECT slot_id, iterations, salt, wrapped FROM slots WHERE user_id = ?1 AND kind = 'user'",
        [user_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .optional()
    .map_err(Error::sql("find a user"))
}

fn read_user(
    conn: &Connection,
    main: &SealingKey,
    trust: Trust,
    user_id: &str,
) -> Result<(i64, UserDoc)> {
    let (version, sealed, signature): (i64, Vec<u8>, Option<Vec<u8>>) = conn
        .prepare_cached("SELECT version, sealed, signature FROM users WHERE user_id = ?1")
        .and_then(|mut st| {
            st.query_row([user_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).optional()
        })
        .map_err(Error::sql("read a user"))?
        .ok_or(Error::UserNotFound)?;
    let doc = open_signed(
        main,
        trust,
        &user_binding(user_id, version),
        &sealed,
        signature.as_deref(),
        || format!("the user record {user_id}"),
    )?;
    Ok((version, doc))
}

pub(super) fn load_current(
    conn: &Connection,
    main: &SealingKey,
    trust: Trust,
    user_id: &str,
) -> Result<CurrentUser> {
    let (version, doc) = read_user(conn, main, trust, user_id)?;
    Ok(CurrentUser {
        id: user_id.to_owned(),
        name: doc.name,
        role: doc.role,
        must_change: false,
        forced_change: false,
        version,
    })
}

/// A user's role, as their signed record says.
pub(super) fn role_of(
    conn: &Connection,
    main: &SealingKey,
    trust: Trust,
    id: &str,
) -> Result<Role> {
    Ok(read_user(conn, main, trust, id)?.1.role)
}

/// Whether a person of a store from before schema 7 must change their passphrase, as
/// their record said then.
pub(super) fn legacy_must_change(
    conn: &Connection,
    main: &SealingKey,
    trust: Trust,
    id: &str,
) -> Result<bool> {
    Ok(read_user(conn, main, trust, id)?.1.must_change)
}

/// Signs every user record with `authority` (a store moving to keys per person, and after
/// the admins' key changes). Each record is checked first: under the main key (a store
/// moving, whose records were never signed) or against the old authority key.
pub(super) fn sign_all(
    tx: &Connection,
    main: &SealingKey,
    authority: &Authority,
    old: Option<Trust>,
) -> Result<()> {
    let rows = SignedRows {
        // The parameter is never empty: every row.
        select: "SELECT user_id, version, sealed, signature FROM users WHERE ?1 != ''",
        param: "all",
        update: "UPDATE users SET signature = ?1 WHERE user_id = ?2",
        domain: "user",
        table: "users",
    };
    sign_rows(tx, &rows, main, authority, old)
}

/// The role of a signed-in user as the store says now. Reads only the record's version
/// while it is unchanged since `user` was read; a removed user's session ends.
pub(super) fn role_now(
    conn: &Connection,
    main: &SealingKey,
    trust: Trust,
    user: &CurrentUser,
) -> Result<Role> {
    let version: Option<i64> = conn
        .prepare_cached("SELECT version FROM users WHERE user_id = ?1")
        .and_then(|mut st| st.query_row([&user.id], |r| r.get(0)).optional())
        .map_err(Error::sql("read a user"))?;
    match version {
        None => Err(Error::SessionEnded),
        Some(v) if v == user.version => Ok(user.role),
        Some(_) => match read_user(conn, main, trust, &user.id) {
            Ok((_, doc)) => Ok(doc.role),
            Err(Error::UserNotFound) => Err(Error::SessionEnded),
            Err(e) => Err(e),
        },
    }
}

fn all_users(conn: &Connection, main: &SealingKey, trust: Trust) -> Result<Vec<(String, UserDoc)>> {
    let ids: Vec<String> = {
        let mut stmt =
            conn.prepare("SELECT user_id FROM users").map_err(Error::sql("list users"))?;
        stmt.query_map([], |r| r.get(0))
            .map_err(Error::sql("list users"))?
            .collect::<rusqlite::Result<_>>()
            .map_err(Error::sql("list users"))?
    };
    ids.into_iter().map(|id| read_user(conn, main, trust, &id).map(|(_, doc)| (id, doc))).collect()
}

/// The ids of the admins, as their signed records say.
pub(super) fn admin_ids(conn: &Connection, main: &SealingKey, trust: Trust) -> Result<Vec<String>> {
    Ok(all_users(conn, main, trust)?
        .into_iter()
        .filter(|(_, d)| d.role == Role::Admin)
        .map(|(id, _)| id)
        .collect())
}

/// Whether each person must change their passphrase, as `user list` shows it: from the
/// clear copy beside their sealed seed, or their record's flag until they have moved.
fn must_change_shown(conn: &Connection, id: &str, doc: &UserDoc) -> Result<bool> {
    let flag: Option<bool> = conn
        .prepare_cached("SELECT must_change FROM holders WHERE holder_id = ?1")
        .and_then(|mut st| st.query_row([id], |r| r.get(0)).optional())
        .map_err(Error::sql("list users"))?;
    Ok(flag.unwrap_or(doc.must_change))
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
        find_user_id(&self.store.conn, name)?.ok_or(Error::UserNotFound)
    }

    /// The admins' key this session holds (admins, and a recovery-key unlock).
    pub(super) fn authority(&self) -> Result<&Authority> {
        self.admin.as_ref().ok_or(Error::AdminKeyMissing)
    }

    /// Adds a user with a first passphrase, which they must change at their first unlock,
    /// and their department if given: one transaction. Their key pair is made, and the
    /// data keys (and the admins' key, for an admin) are wrapped to it.
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
        let authority = self.authority()?;
        let now = self.now();
        let tx =
            self.store.conn.unchecked_transaction().map_err(Error::sql("start adding a user"))?;
        let user = NewUser { name, role, must_change: true };
        let id = insert(&tx, &self.main, authority, &user, now)?;
        if department.is_some() {
            update_user(&tx, &self.main, authority, self.trust, &id, |doc| {
                doc.department = department.map(str::to_owned)
            })?;
        }
        let new = holders::NewHolder::Person {
            user_id: &id,
            passphrase: first_passphrase,
            must_change: true,
        };
        let seed = holders::put_holder(&tx, new, authority)?;
        super::logkeys::certify_person(&tx, &self.main, authority, name, &seed)?;
        self.wrap_my_keys_to(&tx, &id, role == Role::Admin)?;
        super::state::seal(&tx, &self.store.state, Some(&self.main), &self.ward)?;
        tx.commit().map_err(Error::sql("commit the new user"))
    }

    /// Every user, sorted by name.
    pub fn list_users(&self) -> Result<Vec<UserInfo>> {
        self.ready()?;
        let conn = &self.store.conn;
        let mut out = Vec::new();
        for (id, d) in all_users(conn, &self.main, self.trust)? {
            out.push(UserInfo {
                must_change_passphrase: must_change_shown(conn, &id, &d)?,
                name: d.name,
                role: d.role,
                department: d.department,
                added: d.added,
            });
        }
        out.sort_by_key(|u| u.name.to_lowercase());
        Ok(out)
    }

    /// The name of the user called `name` (ignoring case) as the store spells it, or `None`
    /// when no user of this workstation is called that.
    /// The signed-in person as the user list holds them (role, department, when added).
    pub fn me(&self) -> Result<UserInfo> {
        let name = self.user_name();
        self.list_users()?.into_iter().find(|u| u.name == name).ok_or(Error::UserNotFound)
    }

    pub fn user_named(&self, name: &str) -> Result<Option<String>> {
        let wanted = name.trim();
        Ok(self.list_users()?.into_iter().map(|u| u.name).find(|n| n.eq_ignore_ascii_case(wanted)))
    }

    /// The admins' names, sorted: whose store this is (a restore says so). Needs no
    /// permission and no passphrase change: only the store's own code asks.
    pub(super) fn admin_names(&self) -> Result<Vec<String>> {
        let mut names: Vec<String> = all_users(&self.store.conn, &self.main, self.trust)?
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
        let authority = self.authority()?;
        let tx = self
            .store
            .conn
            .unchecked_transaction()
            .map_err(Error::sql("start setting a department"))?;
        update_user(&tx, &self.main, authority, self.trust, &id, |doc| {
            doc.department = department.map(str::to_owned)
        })?;
        super::state::seal(&tx, &self.store.state, Some(&self.main), &self.ward)?;
        tx.commit().map_err(Error::sql("commit the department"))
    }

    /// Removes a user, their key pair and every key wrapped to it, and turns the keys over
    /// (`rotate_after_removal`), so what they saved of the store opens nothing written
    /// afterwards. The last admin cannot be removed, and nobody removes themselves.
    pub fn remove_user(&mut self, name: &str) -> Result<()> {
        self.require(Permission::ManageUsers, "remove users")?;
        let id = self.user_id_by_name(name)?;
        if id == self.user.id {
            return Err(Error::Invalid {
                what: "user",
                reason: "you cannot remove yourself: ask another admin".into(),
            });
        }
        self.authority()?;
        let tx =
            self.store.conn.unchecked_transaction().map_err(Error::sql("start removing a user"))?;
        let (_, doc) = read_user(&tx, &self.main, self.trust, &id)?;
        if doc.role == Role::Admin {
            let admins = admin_ids(&tx, &self.main, self.trust)?.len();
            if admins <= 1 {
                return Err(Error::LastAdmin);
            }
        }
        tx.execute("DELETE FROM holders WHERE holder_id = ?1", [&id])
            .map_err(Error::sql("remove a user's keys"))?;
        tx.execute("DELETE FROM users WHERE user_id = ?1", [&id])
            .map_err(Error::sql("remove a user"))?;
        let turned = self.rotate_after_removal(&tx, doc.role == Role::Admin)?;
        let keys = holders::finish_legacy(&tx, turned)?;
        super::state::seal(&tx, &self.store.state, Some(&keys.main.0), &keys.ward.0)?;
        tx.commit().map_err(Error::sql("commit the removal"))?;
        self.take_keys(keys);
        Ok(())
    }

    /// Sets a new passphrase for `name`, in one transaction. A person changing their own
    /// re-seals their seed (their key pair stays). An admin resetting someone's, or a
    /// person signed in with the recovery key, makes a new key pair, signed by the admins'
    /// key, and wraps the keys to it; after a reset the person must change it at their next
    /// unlock.
    pub fn change_passphrase(&mut self, name: &str, new_passphrase: &[u8]) -> Result<()> {
        check_passphrase(new_passphrase)?;
        let id = self.user_id_by_name(name)?;
        let is_self = id == self.user.id;
        if !is_self {
            self.require(Permission::ManageUsers, "reset another user's passphrase")?;
        }
        let tx = self
            .store
            .conn
            .unchecked_transaction()
            .map_err(Error::sql("start changing a passphrase"))?;
        let own_seed = self.seed.as_ref().filter(|_| is_self);
        let new_seed = if let Some(seed) = own_seed {
            let opened = holders::Opened {
                seed: SecretKey::from_slice(seed.as_bytes())?,
                trust: self.trust,
                must_change: false,
            };
            holders::reseal_person(&tx, &id, new_passphrase, &opened)?;
            None
        } else {
            let authority = self.authority()?;
            let (_, doc) = read_user(&tx, &self.main, self.trust, &id)?;
            let role = doc.role;
            let new = holders::NewHolder::Person {
                user_id: &id,
                passphrase: new_passphrase,
                must_change: !is_self,
            };
            tx.execute("DELETE FROM holders WHERE holder_id = ?1", [&id])
                .map_err(Error::sql("replace an unlock slot"))?;
            let seed = holders::put_holder(&tx, new, authority)?;
            super::logkeys::certify_person(&tx, &self.main, authority, &doc.name, &seed)?;
            self.wrap_my_keys_to(&tx, &id, role == Role::Admin)?;
            tx.execute("DELETE FROM slots WHERE user_id = ?1", [&id])
                .map_err(Error::sql("retire an old unlock slot"))?;
            Some(seed)
        };
        let legacy_gone = self.legacy.is_some() && holders::retire_if_done(&tx)?;
        super::state::seal(&tx, &self.store.state, Some(&self.main), &self.ward)?;
        tx.commit().map_err(Error::sql("commit the new passphrase"))?;
        if legacy_gone {
            self.legacy = None;
        }
        if is_self {
            self.user.must_change = false;
            self.user.forced_change = false;
            if new_seed.is_some() {
                self.seed = new_seed;
                self.signer = Default::default();
            }
        }
        Ok(())
    }

    /// Wraps the keys this session holds to holder `id`: the data keys (and the old master
    /// key, while a store moves), and the admins' key when `admin`.
    pub(super) fn wrap_my_keys_to(&self, tx: &Connection, id: &str, admin: bool) -> Result<()> {
        for (name, key, secret) in
            [("main", &self.main, &self.main_secret), ("ward", &self.ward, &self.ward_secret)]
        {
            holders::wrap_one(tx, name, id, i64::from(key.id()), secret, self.trust)?;
        }
        if admin {
            let authority = self.authority()?;
            holders::wrap_one(tx, "admin", id, authority.version, authority.secret(), self.trust)?;
        }
        if let Some(master) = &self.legacy {
            holders::wrap_one(tx, "legacy", id, 0, master, self.trust)?;
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

/// Changes a user's sealed record inside the caller's transaction, as its next version,
/// signed by `authority`; returns that version.
fn update_user(
    tx: &Connection,
    main: &SealingKey,
    authority: &Authority,
    trust: Trust,
    id: &str,
    change: impl FnOnce(&mut UserDoc),
) -> Result<i64> {
    let (version, mut doc) = read_user(tx, main, trust, id)?;
    change(&mut doc);
    let (sealed, signature) = seal_signed(main, authority, &user_binding(id, version + 1), &doc)?;
    tx.execute(
        "UPDATE users SET version = ?1, sealed = ?2, signature = ?3 WHERE user_id = ?4",
        params![version + 1, sealed, signature, id],
    )
    .map_err(Error::sql("update a user"))?;
    Ok(version + 1)
}
