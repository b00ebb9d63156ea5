//! Keys per person and per role.
//!
//! ```text
//!  passphrase ─PBKDF2─► KEK ─ opens ─► the person's seed ‖ the authority key they trust
//!  seed ─HKDF─► X25519 key pair: the data keys are wrapped to its public half
//!                 main key   (everyone)        ─ seals ─► everything else
//!                 ward key   (everyone; also the emergency code) ─ seals ─► ward records
//!                 admins' key (admins, and the recovery key) ─► the authority's Ed25519 key:
//!                     signs each user record and each holder's public key, settings and
//!                     the pinned pack key, and the next authority key when it changes
//!  recovery key ─HKDF─► a holder's key pair like a person's (every key is wrapped to it)
//! ```
//!
//! A holder's row is bound to its id: the seed is sealed with the holder id in its
//! associated data, each key wrap with the key's name, the holder and the key id. The public
//! keys are in clear, each signed by the authority: an admin wraps a new key only to public
//! keys that verify, so a public key put in place of a person's receives nothing.
//!
//! Each person's wrapped seed carries the authority key they trust. At unlock the app
//! follows the chain of authority keys from it (each signed by the one before) to the
//! newest, and from then on the person trusts the newest.
//!
//! Stores from before schema 7 ("legacy"): every slot wraps one master key. A person moves
//! at their next unlock (their seed made, wrapped, their master-key slot deleted); the
//! admins' key is made at the first such unlock and kept wrapped under the master key (and
//! the master key wrapped to every holder) until the last slot has moved, when both go.

use rusqlite::{Connection, OptionalExtension, params};

use super::{KEK_ID, Scope, check_binding, check_name, get_meta, put_meta};
use crate::crypto::{
    self, Binding, BoxSecret, PBKDF2_ITERATIONS, PUBLIC_LEN, SALT_LEN, SealingKey, SecretKey,
};
use crate::{Error, Result};

/// The recovery key's holder id.
pub(super) const RECOVERY: &str = "recovery";

/// The authority key a holder trusts: its version and public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Trust {
    pub version: i64,
    pub public: [u8; 32],
}

/// The admins' key, opened: signs what only admins may change.
pub(super) struct Authority {
    pub version: i64,
    secret: SecretKey,
    pair: ring::signature::Ed25519KeyPair,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority").field("version", &self.version).finish_non_exhaustive()
    }
}

impl Authority {
    fn from_secret(version: i64, secret: SecretKey) -> Result<Self> {
        let pair = crypto::signing_key(&secret, "authority ed25519")?;
        Ok(Self { version, secret, pair })
    }

    fn generate(version: i64) -> Result<Self> {
        Self::from_secret(version, SecretKey::generate()?)
    }

    pub fn public(&self) -> [u8; 32] {
        use ring::signature::KeyPair;
        let mut out = [0u8; 32];
        out.copy_from_slice(self.pair.public_key().as_ref());
        out
    }

    /// The trust this key is: its version and public key.
    pub fn trust(&self) -> Trust {
        Trust { version: self.version, public: self.public() }
    }

    /// Signs `plain` as the value of `at`: `version(8) ‖ signature(64)`.
    pub fn sign(&self, at: &Binding<'_>, plain: &[u8]) -> Vec<u8> {
        let mut out = self.version.to_be_bytes().to_vec();
        out.extend_from_slice(self.pair.sign(&signed_message(at, plain)).as_ref());
        out
    }
}

/// What a signature covers: where the value lives and its bytes.
fn signed_message(at: &Binding<'_>, plain: &[u8]) -> [u8; 32] {
    let mut parts: Vec<&[u8]> = vec![b"caregiver-playbook/v1 signed"];
    let version = at.version.to_be_bytes();
    let lens: Vec<[u8; 4]> =
        [at.domain, at.table, at.row].iter().map(|p| (p.len() as u32).to_be_bytes()).collect();
    for (len, part) in lens.iter().zip([at.domain, at.table, at.row]) {
        parts.push(len);
        parts.push(part.as_bytes());
    }
    parts.push(&version);
    parts.push(plain);
    crypto::sha256(&parts)
}

impl Trust {
    /// Checks the authority's signature over `plain` as the value of `at`, made by the key
    /// this holder trusts now. `what` names the value in the error.
    pub fn verify(
        &self,
        at: &Binding<'_>,
        plain: &[u8],
        signature: Option<&[u8]>,
        what: impl FnOnce() -> String,
    ) -> Result<()> {
        let ok = signature.and_then(|s| s.split_at_checked(8)).is_some_and(|(version, sig)| {
            version == self.version.to_be_bytes()
                && crypto::verify_signature(&self.public, &signed_message(at, plain), sig)
        });
        if ok { Ok(()) } else { Err(Error::Forged { what: what() }) }
    }
}

fn holder_binding(holder_id: &str) -> Binding<'_> {
    Binding { domain: "holder", table: "holders", row: holder_id, version: 0 }
}

fn public_binding(holder_id: &str) -> Binding<'_> {
    Binding { domain: "holder-public", table: "holders", row: holder_id, version: 0 }
}

fn wrap_binding<'a>(name: &'a str, holder_id: &'a str, key_id: i64) -> Binding<'a> {
    Binding { domain: "key-wrap", table: name, row: holder_id, version: key_id }
}

fn authority_binding(version: i64) -> Binding<'static> {
    Binding { domain: "authority", table: "authorities", row: "", version }
}

fn legacy_admin_binding() -> Binding<'static> {
    Binding { domain: "legacy-admin", table: "meta", row: "", version: 0 }
}

/// What a person's passphrase opens: `seed(32) ‖ trusted version(8) ‖ trusted key(32) ‖
/// must change(1)`.
pub(super) struct Opened {
    pub seed: SecretKey,
    pub trust: Trust,
    pub must_change: bool,
}

fn seal_seed(kek: &SealingKey, holder_id: &str, opened: &Opened) -> Result<Vec<u8>> {
    let mut plain = zeroize::Zeroizing::new(Vec::with_capacity(73));
    plain.extend_from_slice(opened.seed.as_bytes());
    plain.extend_from_slice(&opened.trust.version.to_be_bytes());
    plain.extend_from_slice(&opened.trust.public);
    plain.push(u8::from(opened.must_change));
    Ok(kek.seal(&holder_binding(holder_id), &plain)?)
}

fn open_seed(kek: &SealingKey, holder_id: &str, sealed: &[u8]) -> std::result::Result<Opened, ()> {
    let plain = kek.open(&holder_binding(holder_id), sealed).map_err(|_| ())?;
    let (seed, rest) = plain.split_at_checked(32).ok_or(())?;
    let (version, rest) = rest.split_at_checked(8).ok_or(())?;
    let (public, flag) = rest.split_at_checked(32).ok_or(())?;
    Ok(Opened {
        seed: SecretKey::from_slice(seed).map_err(|_| ())?,
        trust: Trust {
            version: i64::from_be_bytes(version.try_into().map_err(|_| ())?),
            public: public.try_into().map_err(|_| ())?,
        },
        must_change: flag == [1],
    })
}

/// The recovery key's trust: the authority key sealed under a key derived from the
/// recovery key (no one else can write it).
fn recovery_trust_key(recovery: &SecretKey) -> Result<SealingKey> {
    Ok(SealingKey::new(KEK_ID, &crypto::derive(recovery, "recovery trust"))?)
}

/// A person's passphrase slot: (iterations, salt, wrapped seed).
pub(super) type PersonSlot = (u32, Vec<u8>, Vec<u8>);

/// A person's passphrase slot, found by user id.
pub(super) fn person_slot(conn: &Connection, user_id: &str) -> Result<Option<PersonSlot>> {
    conn.query_row(
        "SELECT iterations, salt, wrapped FROM holders WHERE holder_id = ?1 AND kind = 'user'",
        [user_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
    .map_err(Error::sql("read an unlock slot"))
}

/// Opens a person's seed with their passphrase's KEK; `Err(())` for a wrong passphrase (or
/// a slot moved from another person: it is bound to the holder id).
pub(super) fn open_person(
    kek: &SealingKey,
    user_id: &str,
    wrapped: &[u8],
) -> std::result::Result<Opened, ()> {
    open_seed(kek, user_id, wrapped)
}

/// Opens the recovery holder's trust with the recovery key; `Err(())` when it does not open.
pub(super) fn open_recovery(
    conn: &Connection,
    recovery: &SecretKey,
) -> Result<Option<std::result::Result<Trust, ()>>> {
    let wrapped: Option<Vec<u8>> = conn
        .query_row("SELECT wrapped FROM holders WHERE holder_id = 'recovery'", [], |r| r.get(0))
        .optional()
        .map_err(Error::sql("read the recovery key's slot"))?;
    let Some(wrapped) = wrapped else { return Ok(None) };
    let key = recovery_trust_key(recovery)?;
    Ok(Some(key.open(&holder_binding(RECOVERY), &wrapped).map_err(|_| ()).and_then(|plain| {
        let (version, public) = plain.split_at_checked(8).ok_or(())?;
        Ok(Trust {
            version: i64::from_be_bytes(version.try_into().map_err(|_| ())?),
            public: public.try_into().map_err(|_| ())?,
        })
    })))
}

/// Follows the chain of authority keys from `from` to the newest. A break in the chain
/// (a key not signed by the one before) is forgery.
pub(super) fn follow_chain(conn: &Connection, from: Trust) -> Result<Trust> {
    let mut stmt = conn
        .prepare_cached("SELECT version, public, signature FROM authorities WHERE version > ?1 ORDER BY version")
        .map_err(Error::sql("read the admins' keys"))?;
    let rows = stmt
        .query_map([from.version], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, Vec<u8>>(2)?))
        })
        .map_err(Error::sql("read the admins' keys"))?;
    let mut trust = from;
    for row in rows {
        let (version, public, signature) = row.map_err(Error::sql("read the admins' keys"))?;
        let forged = || Error::Forged { what: format!("the admins' key, version {version}") };
        if version != trust.version + 1 {
            return Err(forged());
        }
        trust
            .verify(&authority_binding(version), &public, Some(&signature), String::new)
            .map_err(|_| forged())?;
        trust = Trust { version, public: public.as_slice().try_into().map_err(|_| forged())? };
    }
    Ok(trust)
}

/// Records a new authority key, signed by `previous` (the first one by itself).
fn put_authority(conn: &Connection, new: &Authority, previous: &Authority) -> Result<()> {
    let public = new.public();
    // The signature's version is the signer's: the key before, or this one for the first.
    let signature = previous.sign(&authority_binding(new.version), &public);
    conn.execute(
        "INSERT INTO authorities (version, public, signature) VALUES (?1, ?2, ?3)",
        params![new.version, public.as_slice(), signature],
    )
    .map_err(Error::sql("store the admins' key"))?;
    Ok(())
}

/// The keys a holder holds, opened: each data key with its secret (to wrap it to others).
pub(super) struct Keys {
    pub main: (SealingKey, SecretKey),
    pub ward: (SealingKey, SecretKey),
    pub admin: Option<Authority>,
    /// The master key of a store from before, while some slot still wraps it.
    pub legacy: Option<SecretKey>,
}

/// The keys wrapped to `holder_id`, opened with its key pair and checked: each data key
/// against its check value, the admins' key against the trusted authority key.
pub(super) fn open_keys(
    conn: &Connection,
    holder_id: &str,
    pair: &BoxSecret,
    trust: Trust,
) -> Result<Keys> {
    let mut stmt = conn
        .prepare_cached("SELECT name, key_id, wrapped FROM key_wraps WHERE holder_id = ?1")
        .map_err(Error::sql("read the keys"))?;
    let rows: Vec<(String, i64, Vec<u8>)> = stmt
        .query_map([holder_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .and_then(|rows| rows.collect())
        .map_err(Error::sql("read the keys"))?;
    let (mut main, mut ward, mut admin, mut legacy) = (None, None, None, None);
    for (name, key_id, wrapped) in rows {
        let damaged = || Error::Damaged { what: format!("the {name} key wrapped to this account") };
        let secret =
            pair.open(&wrap_binding(&name, holder_id, key_id), &wrapped).map_err(|_| damaged())?;
        match name.as_str() {
            "main" | "ward" => {
                let scope = if name == "main" { Scope::Main } else { Scope::Ward };
                let id = u32::try_from(key_id).map_err(|_| damaged())?;
                let key = SealingKey::new(id, &secret)?;
                verify_check(conn, &key, scope)?;
                if scope == Scope::Main {
                    main = Some((key, secret));
                } else {
                    ward = Some((key, secret));
                }
            }
            "admin" => {
                let authority = Authority::from_secret(key_id, secret)?;
                if authority.trust() != trust {
                    return Err(Error::Forged {
                        what: "the admins' key wrapped to this account".into(),
                    });
                }
                admin = Some(authority);
            }
            _ => legacy = Some(secret),
        }
    }
    let missing =
        |what: &str| Error::Damaged { what: format!("the {what} key of this account (missing)") };
    Ok(Keys {
        main: main.ok_or_else(|| missing("main"))?,
        ward: ward.ok_or_else(|| missing("ward"))?,
        admin,
        legacy,
    })
}

/// Opens the stored check value, so a wrong or swapped key is caught before any data.
pub(super) fn verify_check(conn: &Connection, key: &SealingKey, scope: Scope) -> Result<()> {
    let sealed = get_meta(conn, check_name(scope))?.unwrap_or_default();
    match key.open(&check_binding(scope), &sealed) {
        // A store from before schema 6 has the check text without the state's mark.
        Ok(p)
            if [super::CHECK_PLAINTEXT, super::CHECK_PLAINTEXT_BEFORE_STATE]
                .contains(&p.as_slice()) =>
        {
            Ok(())
        }
        _ => Err(Error::Damaged { what: format!("the {} key check", scope.as_str()) }),
    }
}

/// A holder's public key, checked against the authority's signature over it.
fn verified_public(conn: &Connection, holder_id: &str, trust: Trust) -> Result<[u8; PUBLIC_LEN]> {
    let (public, signature): (Vec<u8>, Vec<u8>) = conn
        .query_row("SELECT public, signature FROM holders WHERE holder_id = ?1", [holder_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map_err(Error::sql("read a public key"))?;
    trust.verify(&public_binding(holder_id), &public, Some(&signature), || {
        format!("the public key of account {holder_id}")
    })?;
    public
        .as_slice()
        .try_into()
        .map_err(|_| Error::Damaged { what: format!("the public key of account {holder_id}") })
}

/// Wraps `secret` (key `name`, id `key_id`) to one holder, replacing what it held.
pub(super) fn wrap_one(
    conn: &Connection,
    name: &str,
    holder_id: &str,
    key_id: i64,
    secret: &SecretKey,
    trust: Trust,
) -> Result<()> {
    let public = verified_public(conn, holder_id, trust)?;
    let wrapped = crypto::seal_to(&public, &wrap_binding(name, holder_id, key_id), secret)?;
    conn.prepare_cached(
        "INSERT INTO key_wraps (name, holder_id, key_id, wrapped) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (name, holder_id) DO UPDATE SET key_id = excluded.key_id, wrapped = excluded.wrapped",
    )
    .and_then(|mut st| st.execute(params![name, holder_id, key_id, wrapped]))
    .map_err(Error::sql("wrap a key"))?;
    Ok(())
}

/// Who holds which key: every holder holds main, ward and (while it lasts) legacy; admins
/// and the recovery key hold the admins' key.
pub(super) fn holders(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare_cached("SELECT holder_id FROM holders ORDER BY holder_id")
        .map_err(Error::sql("list the key holders"))?;
    stmt.query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(Error::sql("list the key holders"))
}

/// Wraps `secret` as key `name` to every holder who holds it (`admins`: the ids of the
/// admins, for the admins' key), replacing the old wraps, and drops wraps of that name to
/// anyone else.
pub(super) fn wrap_to_all(
    conn: &Connection,
    name: &str,
    key_id: i64,
    secret: &SecretKey,
    trust: Trust,
    admins: &[String],
) -> Result<()> {
    conn.execute("DELETE FROM key_wraps WHERE name = ?1", [name])
        .map_err(Error::sql("drop old key wraps"))?;
    for holder in holders(conn)? {
        if name != "admin" || holder == RECOVERY || admins.contains(&holder) {
            wrap_one(conn, name, &holder, key_id, secret, trust)?;
        }
    }
    Ok(())
}

/// A new person's (or recovery key's) holder row: the seed's key pair, its public key
/// signed by `authority`. `passphrase` seals the seed (a person); the recovery key seals
/// its trust instead.
pub(super) enum NewHolder<'a> {
    Person { user_id: &'a str, passphrase: &'a [u8], must_change: bool },
    Recovery { recovery: &'a SecretKey },
}

/// Adds (or replaces) a holder, returns the seed it holds.
pub(super) fn put_holder(
    conn: &Connection,
    new: NewHolder<'_>,
    authority: &Authority,
) -> Result<SecretKey> {
    let trust = authority.trust();
    let (holder_id, kind, seed, iterations, salt, wrapped, must_change) = match new {
        NewHolder::Person { user_id, passphrase, must_change } => {
            let seed = SecretKey::generate()?;
            let salt = crypto::random_bytes::<SALT_LEN>()?;
            let kek = SealingKey::new(
                KEK_ID,
                &SecretKey::from_passphrase(passphrase, &salt, PBKDF2_ITERATIONS),
            )?;
            let opened = Opened { seed, trust, must_change };
            let wrapped = seal_seed(&kek, user_id, &opened)?;
            (user_id, "user", opened.seed, PBKDF2_ITERATIONS, salt.to_vec(), wrapped, must_change)
        }
        NewHolder::Recovery { recovery } => {
            let mut plain = trust.version.to_be_bytes().to_vec();
            plain.extend_from_slice(&trust.public);
            let wrapped = recovery_trust_key(recovery)?.seal(&holder_binding(RECOVERY), &plain)?;
            (RECOVERY, "recovery", recovery_seed(recovery)?, 0, Vec::new(), wrapped, false)
        }
    };
    let public = BoxSecret::from_seed(&seed).public();
    let signature = authority.sign(&public_binding(holder_id), &public);
    conn.execute(
        "INSERT OR REPLACE INTO holders (holder_id, kind, public, iterations, salt, wrapped, must_change, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![holder_id, kind, public.as_slice(), iterations, salt, wrapped, must_change, signature],
    )
    .map_err(Error::sql("store an unlock slot"))?;
    Ok(seed)
}

/// The recovery key's seed (its key pair is derived from it like a person's).
pub(super) fn recovery_seed(recovery: &SecretKey) -> Result<SecretKey> {
    Ok(SecretKey::from_slice(crypto::derive(recovery, "recovery seed").as_bytes())?)
}

/// Re-seals a person's seed under a new passphrase (their own change): the key pair, and
/// so every wrap to it, stays.
pub(super) fn reseal_person(
    conn: &Connection,
    user_id: &str,
    passphrase: &[u8],
    opened: &Opened,
) -> Result<()> {
    let salt = crypto::random_bytes::<SALT_LEN>()?;
    let kek =
        SealingKey::new(KEK_ID, &SecretKey::from_passphrase(passphrase, &salt, PBKDF2_ITERATIONS))?;
    let wrapped = seal_seed(&kek, user_id, opened)?;
    conn.execute(
        "UPDATE holders SET iterations = ?1, salt = ?2, wrapped = ?3, must_change = ?4 WHERE holder_id = ?5",
        params![PBKDF2_ITERATIONS, salt.as_slice(), wrapped, opened.must_change, user_id],
    )
    .map_err(Error::sql("rewrap an unlock slot"))?;
    Ok(())
}

/// Re-seals a person's seed under the KEK their passphrase just gave, trusting `trust`
/// (the newest authority key, after following the chain).
pub(super) fn retrust_person(
    conn: &Connection,
    kek: &SealingKey,
    user_id: &str,
    opened: &Opened,
) -> Result<()> {
    let wrapped = seal_seed(kek, user_id, opened)?;
    conn.execute("UPDATE holders SET wrapped = ?1 WHERE holder_id = ?2", params![wrapped, user_id])
        .map_err(Error::sql("rewrap an unlock slot"))?;
    Ok(())
}

/// The first admins' key of a new store (version 1, signed by itself).
pub(super) fn first_authority_key(conn: &Connection) -> Result<Authority> {
    let authority = Authority::generate(1)?;
    put_authority(conn, &authority, &authority)?;
    Ok(authority)
}

/// Stores the first keys of a new store: the first admin's and the recovery key's holders,
/// every key wrapped to both. Returns the admin's seed.
pub(super) fn create(
    conn: &Connection,
    admin_id: &str,
    passphrase: &[u8],
    recovery: &SecretKey,
    authority: &Authority,
    data: [(&SealingKey, &SecretKey); 2],
) -> Result<SecretKey> {
    let person = NewHolder::Person { user_id: admin_id, passphrase, must_change: false };
    let seed = put_holder(conn, person, authority)?;
    put_holder(conn, NewHolder::Recovery { recovery }, authority)?;
    let trust = authority.trust();
    let admins = [admin_id.to_owned()];
    for (name, (key, secret)) in ["main", "ward"].into_iter().zip(data) {
        wrap_to_all(conn, name, i64::from(key.id()), secret, trust, &admins)?;
    }
    wrap_to_all(conn, "admin", authority.version, &authority.secret, trust, &admins)?;
    Ok(seed)
}

/// Wraps every key in `keys` to one holder.
pub(super) fn wrap_keys_to(
    conn: &Connection,
    holder: &str,
    keys: &Keys,
    trust: Trust,
) -> Result<()> {
    for (name, (key, secret)) in [("main", &keys.main), ("ward", &keys.ward)] {
        wrap_one(conn, name, holder, i64::from(key.id()), secret, trust)?;
    }
    if let Some(admin) = &keys.admin {
        wrap_one(conn, "admin", holder, admin.version, &admin.secret, trust)?;
    }
    if let Some(master) = &keys.legacy {
        wrap_one(conn, "legacy", holder, 0, master, trust)?;
    }
    Ok(())
}

/// Re-seals the recovery key's trust to `trust` (after a recovery-key unlock followed the
/// chain).
pub(super) fn retrust_recovery(
    conn: &Connection,
    recovery: &SecretKey,
    trust: Trust,
) -> Result<()> {
    let mut plain = trust.version.to_be_bytes().to_vec();
    plain.extend_from_slice(&trust.public);
    let wrapped = recovery_trust_key(recovery)?.seal(&holder_binding(RECOVERY), &plain)?;
    conn.execute("UPDATE holders SET wrapped = ?1 WHERE holder_id = 'recovery'", [wrapped])
        .map_err(Error::sql("rewrap the recovery key's slot"))?;
    Ok(())
}

/// Rotates the admins' key: a new version signed by the old, wrapped to `admins` and the
/// recovery key. The caller re-signs what the old one signed.
pub(super) fn rotate_authority(
    conn: &Connection,
    old: &Authority,
    admins: &[String],
) -> Result<Authority> {
    let new = Authority::generate(old.version + 1)?;
    put_authority(conn, &new, old)?;
    // Every public key is signed again by the new key, after checking it with the old.
    let ids = holders(conn)?;
    for id in &ids {
        let public = verified_public(conn, id, old.trust())?;
        conn.execute(
            "UPDATE holders SET signature = ?1 WHERE holder_id = ?2",
            params![new.sign(&public_binding(id), &public), id],
        )
        .map_err(Error::sql("sign a public key"))?;
    }
    wrap_to_all(conn, "admin", new.version, &new.secret, new.trust(), admins)?;
    Ok(new)
}

impl Authority {
    /// A second handle on the same key (ring's key pairs cannot be cloned).
    pub fn copy_of(other: &Authority) -> Result<Self> {
        Self::from_secret(other.version, SecretKey::from_slice(other.secret.as_bytes())?)
    }

    pub fn secret(&self) -> &SecretKey {
        &self.secret
    }
}

// ---- stores from before schema 7 ----

/// Whether any master-key slot is left (a person who has not moved, or the old recovery
/// slot).
pub(super) fn legacy_left(conn: &Connection) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM slots WHERE kind IN ('user', 'recovery'))",
        [],
        |r| r.get(0),
    )
    .map_err(Error::sql("look for old unlock slots"))
}

/// The admins' key of a store that is moving, kept under the master key until the last
/// slot has moved; made (version 1) at the first move.
pub(super) fn legacy_authority(conn: &Connection, master: &SecretKey) -> Result<(Authority, bool)> {
    let master_key = SealingKey::new(KEK_ID, master)?;
    if let Some(wrapped) = get_meta(conn, "legacy_admin")? {
        let version: i64 = conn
            .query_row("SELECT MAX(version) FROM authorities", [], |r| r.get(0))
            .map_err(Error::sql("read the admins' key"))?;
        let secret = master_key.unwrap_key(&legacy_admin_binding(), &wrapped).map_err(|_| {
            Error::Damaged { what: "the admins' key of the store being upgraded".into() }
        })?;
        let authority = Authority::from_secret(version, secret)?;
        let trust = follow_chain(conn, Trust { version: 1, public: first_authority(conn)? })?;
        if trust != authority.trust() {
            return Err(Error::Forged {
                what: "the admins' key of the store being upgraded".into(),
            });
        }
        return Ok((authority, false));
    }
    let authority = Authority::generate(1)?;
    put_authority(conn, &authority, &authority)?;
    put_meta(conn, "legacy_admin", &master_key.wrap(&legacy_admin_binding(), &authority.secret)?)?;
    Ok((authority, true))
}

/// Keeps a moving store's admins' key under its master key in step after a rotation.
pub(super) fn put_legacy_authority(
    conn: &Connection,
    master: &SecretKey,
    authority: &Authority,
) -> Result<()> {
    let wrapped =
        SealingKey::new(KEK_ID, master)?.wrap(&legacy_admin_binding(), &authority.secret)?;
    put_meta(conn, "legacy_admin", &wrapped)
}

fn first_authority(conn: &Connection) -> Result<[u8; 32]> {
    let public: Vec<u8> = conn
        .query_row("SELECT public FROM authorities WHERE version = 1", [], |r| r.get(0))
        .map_err(Error::sql("read the admins' first key"))?;
    public
        .as_slice()
        .try_into()
        .map_err(|_| Error::Damaged { what: "the admins' first key".into() })
}

/// After the last slot has moved, the master key and everything under it go: returns
/// `keys` without it then.
pub(super) fn finish_legacy(conn: &Connection, mut keys: Keys) -> Result<Keys> {
    if retire_if_done(conn)? {
        keys.legacy = None;
    }
    Ok(keys)
}

/// Retires the old master key if no slot wraps it any more; says whether it did.
pub(super) fn retire_if_done(conn: &Connection) -> Result<bool> {
    if legacy_left(conn)? {
        return Ok(false);
    }
    retire_legacy(conn)?;
    Ok(true)
}

/// Deletes the old master key and everything under it (once no slot wraps it).
pub(super) fn retire_legacy(conn: &Connection) -> Result<()> {
    for sql in [
        "DELETE FROM key_wraps WHERE name = 'legacy'",
        "DELETE FROM data_keys",
        "DELETE FROM meta WHERE name = 'legacy_admin'",
    ] {
        conn.execute(sql, []).map_err(Error::sql("retire the old master key"))?;
    }
    Ok(())
}
