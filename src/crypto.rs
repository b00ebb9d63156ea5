//! The crypto primitives the store is built from, all from `ring`: AES-256-GCM with a fresh
//! random nonce per seal, PBKDF2-HMAC-SHA256 for passphrases, SHA-256.
//!
//! A sealed blob is `version(1) ‖ key_id(4, big-endian) ‖ nonce(12) ‖ ciphertext ‖ tag(16)`.
//! Its associated data binds it to where it lives ([`Binding`]: domain, table, row id,
//! record version) and to the key id, so a blob copied to another row, another table or an
//! older version of its row fails to open.
//!
//! Secrets live in [`zeroize::Zeroizing`] buffers. `ring`'s own key objects cannot be
//! wiped, so they are few and live only as long as an unlocked session.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

/// Length of every symmetric key, in bytes (AES-256).
pub const KEY_LEN: usize = 32;
/// Length of a PBKDF2 salt, in bytes.
pub const SALT_LEN: usize = 16;
/// The fewest PBKDF2-HMAC-SHA256 iterations accepted for a new passphrase slot (OWASP 2023).
pub const PBKDF2_ITERATIONS: u32 = 600_000;

const FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 1 + 4 + NONCE_LEN;

/// Why a blob did not open. Deliberately coarse: the caller names what and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// Too short, or an unknown format version.
    #[error("not a sealed record this version can read")]
    Malformed,
    /// Sealed under another key id than the key offered.
    #[error("sealed under another key")]
    OtherKey,
    /// The tag did not verify: wrong key, changed bytes, or a blob moved from elsewhere.
    #[error("failed its integrity check")]
    Rejected,
    /// The system's random source failed.
    #[error("the system random source failed")]
    Random,
}

/// A 256-bit secret, wiped from memory when dropped.
pub struct SecretKey(Zeroizing<[u8; KEY_LEN]>);

impl SecretKey {
    /// A fresh random key.
    pub fn generate() -> Result<Self, CryptoError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        SystemRandom::new().fill(bytes.as_mut()).map_err(|_| CryptoError::Random)?;
        Ok(Self(bytes))
    }

    /// A key from exactly [`KEY_LEN`] bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let arr: [u8; KEY_LEN] = bytes.try_into().map_err(|_| CryptoError::Malformed)?;
        Ok(Self(Zeroizing::new(arr)))
    }

    /// Derives a key-encryption key from a passphrase with PBKDF2-HMAC-SHA256.
    pub fn from_passphrase(passphrase: &[u8], salt: &[u8], iterations: u32) -> Self {
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        let rounds =
            std::num::NonZeroU32::new(iterations.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            rounds,
            salt,
            passphrase,
            out.as_mut(),
        );
        Self(out)
    }

    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// Where a sealed blob belongs. Every field goes into the associated data.
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    /// What kind of thing is sealed: `"record"`, `"slot"`, `"key"`, `"check"` ...
    pub domain: &'a str,
    /// The table (and record kind) it lives in.
    pub table: &'a str,
    /// Its row id.
    pub row: &'a str,
    /// The row's version: bumped on every write, so an older copy does not open.
    pub version: i64,
}

impl Binding<'_> {
    /// The associated data: on the stack when it fits (every binding the store makes does),
    /// so sealing or opening a record allocates nothing for it.
    fn associated_data(&self, key_id: u32) -> AssociatedData {
        let parts = [
            b"caregiver-playbook/v1".as_slice(),
            self.domain.as_bytes(),
            self.table.as_bytes(),
            self.row.as_bytes(),
        ];
        let len = parts.iter().map(|p| 4 + p.len()).sum::<usize>() + 8 + 4;
        let mut out = AssociatedData::with_len(len);
        let mut at = 0;
        for part in parts {
            // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
            at = out.put(at, &(part.len() as u32).to_be_bytes());
            at = out.put(at, part);
        }
        at = out.put(at, &self.version.to_be_bytes());
        out.put(at, &key_id.to_be_bytes());
        out
    }
}

/// A binding's associated data, built in place.
enum AssociatedData {
    Inline([u8; 160], usize),
    Heap(Vec<u8>),
}

impl AssociatedData {
    fn with_len(len: usize) -> Self {
        if len <= 160 {
            AssociatedData::Inline([0; 160], len)
        } else {
            AssociatedData::Heap(vec![0; len])
        }
    }

    /// Writes `bytes` at `at`; returns where the next part goes.
    fn put(&mut self, at: usize, bytes: &[u8]) -> usize {
        let buf = match self {
            AssociatedData::Inline(buf, len) => buf.get_mut(..*len).unwrap_or_default(),
            AssociatedData::Heap(v) => v.as_mut_slice(),
        };
        if let Some(dst) = buf.get_mut(at..at + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
        at + bytes.len()
    }
}

impl AsRef<[u8]> for AssociatedData {
    fn as_ref(&self) -> &[u8] {
        match self {
            AssociatedData::Inline(buf, len) => buf.get(..*len).unwrap_or_default(),
            AssociatedData::Heap(v) => v,
        }
    }
}

/// An AES-256-GCM key with the id it is known by in the store.
pub struct SealingKey {
    id: u32,
    key: LessSafeKey,
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealingKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl SealingKey {
    pub fn new(id: u32, secret: &SecretKey) -> Result<Self, CryptoError> {
        let unbound =
            UnboundKey::new(&AES_256_GCM, secret.as_bytes()).map_err(|_| CryptoError::Malformed)?;
        Ok(Self { id, key: LessSafeKey::new(unbound) })
    }

    pub fn id(&self) -> u32 {
        self.id
    }

    /// Seals `plaintext`, bound to `at`, under a fresh random nonce.
    pub fn seal(&self, at: &Binding<'_>, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.seal_with(at, plaintext.len(), |buf| {
            buf.extend_from_slice(plaintext);
            Ok(())
        })
    }

    /// Seals what `write` appends to the buffer it is given, bound to `at`, in place: the
    /// plaintext is written once, straight after the header's room, and encrypted where it
    /// lies (one allocation for the whole blob, no copy). `hint` is the plaintext's expected
    /// length. If `write` fails, what it wrote is wiped.
    pub fn seal_with<E: From<CryptoError>>(
        &self,
        at: &Binding<'_>,
        hint: usize,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<Vec<u8>, E> {
        let nonce = fresh_nonce()?;
        let mut out = Zeroizing::new(Vec::with_capacity(HEADER_LEN + hint + TAG_LEN));
        out.push(FORMAT_V1);
        out.extend_from_slice(&self.id.to_be_bytes());
        out.extend_from_slice(&nonce);
        write(&mut out)?;
        let body = out.get_mut(HEADER_LEN..).ok_or(CryptoError::Malformed)?;
        let tag = self
            .key
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(at.associated_data(self.id)),
                body,
            )
            .map_err(|_| CryptoError::Rejected)?;
        out.extend_from_slice(tag.as_ref());
        // Ciphertext from here on: nothing left to wipe.
        Ok(std::mem::take(&mut *out))
    }

    /// Opens a blob sealed by [`SealingKey::seal`] with this key, bound to `at`.
    pub fn open(&self, at: &Binding<'_>, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let mut plain = Zeroizing::new(Vec::new());
        let len = self.open_in(at, sealed, &mut plain)?.len();
        plain.truncate(len);
        Ok(plain)
    }

    /// As [`SealingKey::open`], decrypting in `scratch` (a buffer kept across many opens:
    /// no allocation per blob, and one wipe, when the caller drops it, for them all). The
    /// plaintext is the slice returned; the next open overwrites it.
    pub fn open_in<'s>(
        &self,
        at: &Binding<'_>,
        sealed: &[u8],
        scratch: &'s mut Zeroizing<Vec<u8>>,
    ) -> Result<&'s [u8], CryptoError> {
        if key_id_of(sealed)? != self.id {
            return Err(CryptoError::OtherKey);
        }
        let nonce: [u8; NONCE_LEN] = sealed
            .get(5..HEADER_LEN)
            .and_then(|n| n.try_into().ok())
            .ok_or(CryptoError::Malformed)?;
        let body = sealed.get(HEADER_LEN..).ok_or(CryptoError::Malformed)?;
        if scratch.capacity() < body.len() {
            // Growing in place would free the old buffer unwiped: wipe it, then replace it.
            *scratch = Zeroizing::new(Vec::with_capacity(body.len()));
        }
        scratch.clear();
        scratch.extend_from_slice(body);
        let plain = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(at.associated_data(self.id)),
                scratch.as_mut_slice(),
            )
            .map_err(|_| CryptoError::Rejected)?;
        Ok(plain)
    }

    /// Seals another key (wrapping).
    pub fn wrap(&self, at: &Binding<'_>, secret: &SecretKey) -> Result<Vec<u8>, CryptoError> {
        self.seal(at, secret.as_bytes())
    }

    /// Opens a wrapped key.
    pub fn unwrap_key(&self, at: &Binding<'_>, wrapped: &[u8]) -> Result<SecretKey, CryptoError> {
        SecretKey::from_slice(&self.open(at, wrapped)?)
    }
}

/// How many nonces one read of the system's random source gives.
const NONCES_PER_FILL: usize = 64;

/// Random bytes from the system's source, taken a block at a time and handed out as
/// nonces once each.
struct NoncePool {
    bytes: [u8; NONCE_LEN * NONCES_PER_FILL],
    next: usize,
}

thread_local! {
    static NONCES: std::cell::RefCell<NoncePool> = const {
        std::cell::RefCell::new(NoncePool { bytes: [0; NONCE_LEN * NONCES_PER_FILL], next: NONCES_PER_FILL })
    };
}

/// A fresh random nonce. One system call per [`NONCES_PER_FILL`] seals rather than one per
/// seal (a measurable share of sealing a small record): each nonce is still 96 bits from
/// the system's source, used once (nonces are not secret: every blob carries its own). The
/// pool is per thread; the process never forks a child that seals (a fork would copy it).
fn fresh_nonce() -> Result<[u8; NONCE_LEN], CryptoError> {
    NONCES.with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.next >= NONCES_PER_FILL {
            SystemRandom::new().fill(&mut pool.bytes).map_err(|_| CryptoError::Random)?;
            pool.next = 0;
        }
        let at = pool.next * NONCE_LEN;
        pool.next += 1;
        pool.bytes
            .get(at..at + NONCE_LEN)
            .and_then(|n| n.try_into().ok())
            .ok_or(CryptoError::Random)
    })
}

/// The key id a blob says it was sealed under.
pub fn key_id_of(sealed: &[u8]) -> Result<u32, CryptoError> {
    if sealed.len() < HEADER_LEN + TAG_LEN || sealed.first() != Some(&FORMAT_V1) {
        return Err(CryptoError::Malformed);
    }
    let id: [u8; 4] =
        sealed.get(1..5).and_then(|b| b.try_into().ok()).ok_or(CryptoError::Malformed)?;
    Ok(u32::from_be_bytes(id))
}

/// `N` random bytes from the system's source.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut out = [0u8; N];
    SystemRandom::new().fill(&mut out).map_err(|_| CryptoError::Random)?;
    Ok(out)
}

/// SHA-256 of the concatenation of `parts`.
pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for p in parts {
        ctx.update(p);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// Pads `bytes` with trailing spaces to a multiple of `bucket`, so a sealed record's length
/// shows only a size class. Used on JSON, where trailing whitespace is ignored.
pub fn pad_to_bucket(bytes: &mut Vec<u8>, bucket: usize) {
    pad_tail(bytes, 0, bucket);
}

/// As [`pad_to_bucket`], for the part of `bytes` from `start` on (a sealing buffer whose
/// header comes first).
pub fn pad_tail(bytes: &mut Vec<u8>, start: usize, bucket: usize) {
    let len = bytes.len().saturating_sub(start);
    let target = len.div_ceil(bucket.max(1)) * bucket.max(1);
    bytes.resize(start + target.max(bucket), b' ');
}

/// A secret derived from `seed` for one use (`label`), with HKDF-SHA256: one stored seed
/// gives a person their X25519 and Ed25519 keys, which never share bytes.
pub fn derive(seed: &SecretKey, label: &str) -> SecretKey {
    struct Len;
    impl ring::hkdf::KeyType for Len {
        fn len(&self) -> usize {
            KEY_LEN
        }
    }
    let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, b"caregiver-playbook/v1 derive")
        .extract(seed.as_bytes());
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    let info = [label.as_bytes()];
    // Both calls fail only for an output longer than 255 hashes: never for 32 bytes.
    if let Ok(okm) = prk.expand(&info, Len) {
        let _ = okm.fill(out.as_mut());
    }
    SecretKey(out)
}

/// Length of an X25519 public key, in bytes.
pub const PUBLIC_LEN: usize = 32;

/// The secret half of a key pair to which keys are wrapped ([`seal_to`]): X25519, derived
/// from a stored seed. Wiped when dropped.
pub struct BoxSecret(x25519_dalek::StaticSecret);

impl std::fmt::Debug for BoxSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BoxSecret(..)")
    }
}

impl BoxSecret {
    pub fn from_seed(seed: &SecretKey) -> Self {
        Self(x25519_dalek::StaticSecret::from(*derive(seed, "x25519").as_bytes()))
    }

    pub fn public(&self) -> [u8; PUBLIC_LEN] {
        x25519_dalek::PublicKey::from(&self.0).to_bytes()
    }

    /// Opens a key wrapped to this key pair's public half by [`seal_to`], bound to `at`.
    pub fn open(&self, at: &Binding<'_>, sealed: &[u8]) -> Result<SecretKey, CryptoError> {
        let (eph, rest) = sealed.split_at_checked(PUBLIC_LEN).ok_or(CryptoError::Malformed)?;
        let eph: [u8; PUBLIC_LEN] = eph.try_into().map_err(|_| CryptoError::Malformed)?;
        let shared = self.0.diffie_hellman(&x25519_dalek::PublicKey::from(eph));
        if !shared.was_contributory() {
            return Err(CryptoError::Rejected);
        }
        let key = box_key(shared.as_bytes(), &eph, &self.public())?;
        key.unwrap_key(at, rest)
    }
}

/// The AES key of one wrapping: HKDF-SHA256 of the X25519 shared secret, salted with both
/// public keys (as in HPKE's base mode and libsodium's sealed boxes).
fn box_key(
    shared: &[u8; 32],
    eph: &[u8; PUBLIC_LEN],
    recipient: &[u8; PUBLIC_LEN],
) -> Result<SealingKey, CryptoError> {
    let ikm =
        SecretKey(Zeroizing::new(sha256(&[b"caregiver-playbook/v1 box", eph, recipient, shared])));
    SealingKey::new(0, &derive(&ikm, "box key"))
}

/// Wraps `secret` to the holder of the X25519 public key `recipient`, bound to `at`: an
/// ephemeral key pair, its agreement with `recipient`, and AES-256-GCM under the derived
/// key. The blob is `ephemeral public key(32) ‖ sealed blob`. Anyone can make one: what a
/// holder opens is checked against what it must be (a check value, a signed public key).
pub fn seal_to(
    recipient: &[u8; PUBLIC_LEN],
    at: &Binding<'_>,
    secret: &SecretKey,
) -> Result<Vec<u8>, CryptoError> {
    let eph_secret = x25519_dalek::StaticSecret::from(*SecretKey::generate()?.as_bytes());
    let eph = x25519_dalek::PublicKey::from(&eph_secret).to_bytes();
    let shared = eph_secret.diffie_hellman(&x25519_dalek::PublicKey::from(*recipient));
    if !shared.was_contributory() {
        return Err(CryptoError::Rejected);
    }
    let sealed = box_key(shared.as_bytes(), &eph, recipient)?.wrap(at, secret)?;
    let mut out = Vec::with_capacity(PUBLIC_LEN + sealed.len());
    out.extend_from_slice(&eph);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// An Ed25519 signing key derived from a seed ([`derive`] with `label`).
pub fn signing_key(
    seed: &SecretKey,
    label: &str,
) -> Result<ring::signature::Ed25519KeyPair, CryptoError> {
    ring::signature::Ed25519KeyPair::from_seed_unchecked(derive(seed, label).as_bytes())
        .map_err(|_| CryptoError::Malformed)
}

/// Checks an Ed25519 signature over `message` by `public`.
pub fn verify_signature(public: &[u8], message: &[u8], signature: &[u8]) -> bool {
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public)
        .verify(message, signature)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(id: u32) -> SealingKey {
        SealingKey::new(id, &SecretKey::generate().unwrap()).unwrap()
    }

    const AT: Binding<'static> =
        Binding { domain: "record", table: "contact", row: "r1", version: 1 };

    #[test]
    fn nonces_are_fresh_for_every_seal() {
        let k = key(1);
        let a = k.seal(&AT, b"same").unwrap();
        let b = k.seal(&AT, b"same").unwrap();
        assert_ne!(a, b);
        assert_eq!(&*k.open(&AT, &a).unwrap(), b"same");
    }

    #[test]
    fn a_blob_opens_only_where_it_was_sealed() {
        let k = key(7);
        let sealed = k.seal(&AT, b"secret").unwrap();
        for other in [
            Binding { row: "r2", ..AT },
            Binding { table: "note", ..AT },
            Binding { version: 2, ..AT },
            Binding { domain: "slot", ..AT },
        ] {
            assert_eq!(k.open(&other, &sealed).unwrap_err(), CryptoError::Rejected, "{other:?}");
        }
        assert_eq!(key(7).open(&AT, &sealed).unwrap_err(), CryptoError::Rejected);
        assert_eq!(key(8).open(&AT, &sealed).unwrap_err(), CryptoError::OtherKey);
        assert_eq!(key_id_of(&sealed).unwrap(), 7);
    }

    #[test]
    fn pbkdf2_depends_on_every_input() {
        let a = SecretKey::from_passphrase(b"pass", b"salt-salt-salt-1", 1000);
        let b = SecretKey::from_passphrase(b"pass", b"salt-salt-salt-2", 1000);
        let c = SecretKey::from_passphrase(b"pass", b"salt-salt-salt-1", 1001);
        let d = SecretKey::from_passphrase(b"pass", b"salt-salt-salt-1", 1000);
        assert_ne!(a.as_bytes(), b.as_bytes());
        assert_ne!(a.as_bytes(), c.as_bytes());
        assert_eq!(a.as_bytes(), d.as_bytes());
    }

    #[test]
    fn padding_hides_exact_lengths() {
        let mut v = b"{}".to_vec();
        pad_to_bucket(&mut v, 64);
        assert_eq!(v.len(), 64);
        let mut v = vec![b'x'; 65];
        pad_to_bucket(&mut v, 64);
        assert_eq!(v.len(), 128);
    }

    proptest! {
        #[test]
        fn round_trip(plain in proptest::collection::vec(any::<u8>(), 0..512)) {
            let k = key(3);
            let sealed = k.seal(&AT, &plain).unwrap();
            prop_assert_eq!(&*k.open(&AT, &sealed).unwrap(), &plain[..]);
        }

        #[test]
        fn any_flipped_bit_is_rejected(
            plain in proptest::collection::vec(any::<u8>(), 0..256),
            index in any::<prop::sample::Index>(),
            bit in 0u8..8,
        ) {
            let k = key(3);
            let mut sealed = k.seal(&AT, &plain).unwrap();
            let i = index.index(sealed.len());
            sealed[i] ^= 1 << bit;
            prop_assert!(k.open(&AT, &sealed).is_err());
        }

        #[test]
        fn truncated_or_garbage_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let k = key(3);
            prop_assert!(k.open(&AT, &bytes).is_err());
        }
    }

    #[test]
    fn a_key_wrapped_to_a_person_opens_for_them_only_and_only_where_bound() {
        let alice = BoxSecret::from_seed(&SecretKey::generate().unwrap());
        let bob = BoxSecret::from_seed(&SecretKey::generate().unwrap());
        let data = SecretKey::generate().unwrap();
        let wrapped = seal_to(&alice.public(), &AT, &data).unwrap();
        assert_eq!(alice.open(&AT, &wrapped).unwrap().as_bytes(), data.as_bytes());
        assert_eq!(bob.open(&AT, &wrapped).unwrap_err(), CryptoError::Rejected);
        let elsewhere = Binding { row: "r2", ..AT };
        assert_eq!(alice.open(&elsewhere, &wrapped).unwrap_err(), CryptoError::Rejected);
        assert_eq!(alice.open(&AT, &wrapped[..20]).unwrap_err(), CryptoError::Malformed);
        // A low-order point as the ephemeral key gives no shared secret: refused.
        let mut zero = wrapped.clone();
        zero[..PUBLIC_LEN].fill(0);
        assert_eq!(alice.open(&AT, &zero).unwrap_err(), CryptoError::Rejected);
    }

    #[test]
    fn derived_keys_differ_by_label_and_seed() {
        let seed = SecretKey::generate().unwrap();
        assert_ne!(derive(&seed, "a").as_bytes(), derive(&seed, "b").as_bytes());
        assert_eq!(derive(&seed, "a").as_bytes(), derive(&seed, "a").as_bytes());
        let other = SecretKey::generate().unwrap();
        assert_ne!(derive(&seed, "a").as_bytes(), derive(&other, "a").as_bytes());
    }
}
