//! Credentials and tokens. Passwords are stored only as Argon2id hashes;
//! session tokens are 128 random bits handed to the device once and stored
//! only as their SHA-256, so a leaked database yields no usable secret.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};
use std::sync::{Condvar, Mutex, OnceLock};

pub const SESSION_DAYS: i64 = 30;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // The OS random source failing is unrecoverable for a server that issues secrets.
    getrandom::fill(&mut buf).expect("operating system random source failed");
    buf
}

/// At most one password check per core at a time: each takes 19 MiB and a
/// core's worth of work, and a storm of sign-ins must neither exhaust memory
/// nor take every thread from syncs.
struct HashSlot;

static HASH_SLOTS: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

impl HashSlot {
    fn take() -> HashSlot {
        let limit = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (busy, freed) = &HASH_SLOTS;
        let mut n = busy.lock().unwrap_or_else(|p| p.into_inner());
        while *n >= limit {
            n = freed.wait(n).unwrap_or_else(|p| p.into_inner());
        }
        *n += 1;
        HashSlot
    }
}

impl Drop for HashSlot {
    fn drop(&mut self) {
        let (busy, freed) = &HASH_SLOTS;
        *busy.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
        freed.notify_one();
    }
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes is a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

/// Check a password against a stored hash. With no stored hash (unknown user
/// or no password set) a dummy hash is still checked, so response time does
/// not reveal which logins exist.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let _slot = HashSlot::take();
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a real password"));
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && real
}

/// Letters of a one-time code: no 0/O or 1/I, which people misread.
const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// A one-time code to read out or write down: `7KQ4-M2XD`, 40 random bits.
/// Stored only as its Argon2 hash; it dies after a few wrong guesses.
pub fn new_code() -> String {
    let letters: String = random_bytes::<8>()
        .iter()
        .map(|b| CODE_ALPHABET[usize::from(b % 32)] as char)
        .collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

/// A code as typed, in the form it was hashed in: upper case, without
/// spaces or dashes.
pub fn normalize_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// 128 bits, as hex: unguessable (a session's hash is looked up, never
/// compared in time that depends on it), and short, since a device sends
/// it with every sync (HTTP/2 does not index it). Earlier 256-bit tokens
/// stay valid: only the hash is stored.
pub fn new_token() -> String {
    hex(&random_bytes::<16>())
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Short stable fingerprint (used for cursor scope tags).
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex(&h.finalize()[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_verifies_and_is_salted() {
        let a = hash_password("s3cret");
        let b = hash_password("s3cret");
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(!a.contains("s3cret"));
        assert!(verify_password("s3cret", Some(&a)));
        assert!(!verify_password("wrong", Some(&a)));
        assert!(!verify_password("s3cret", None));
        assert!(!verify_password("s3cret", Some("garbage")));
    }

    #[test]
    fn codes_are_readable_and_normalised_as_typed() {
        let c = new_code();
        assert_eq!(c.len(), 9);
        assert_eq!(&c[4..5], "-");
        assert!(
            normalize_code(&c)
                .bytes()
                .all(|b| CODE_ALPHABET.contains(&b))
        );
        assert_ne!(c, new_code());
        assert_eq!(normalize_code(" 7kq4-m2xd "), "7KQ4M2XD");
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let t = new_token();
        assert_eq!(t.len(), 32);
        assert_ne!(t, new_token());
        assert_eq!(token_hash(&t), token_hash(&t));
        assert_ne!(token_hash(&t), t);
    }
}
