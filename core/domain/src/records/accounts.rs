//! Accounts as the district's staff see them: who the user is, where they
//! belong and whether they may sign in. Credentials never appear here: the
//! server keeps them (hashed) beside its users table, which follows these
//! records and the owner's [`Profile`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Role;

string_enum! {
    /// Whether an account may sign in.
    #[derive(Default)]
    pub enum AccountStatus {
        /// Made by staff; waits for its owner to set a password with the
        /// activation code staff hand over.
        Pending = "pending",
        #[default]
        Active = "active",
        /// Switched off: its sessions are revoked and its devices reset.
        Deactivated = "deactivated",
    }
}

/// A user's account, read by staff of its site and above (and its owner).
/// The phone is masked: staff see enough to tell two people apart, the
/// number itself stays with its owner (privacy table in docs/domain.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub user_id: String,
    pub display_name: String,
    pub role: Role,
    /// A staff member's post; for a volunteer or resident, the site that
    /// made or imported the account (`None`: they registered themself).
    pub site_id: Option<String>,
    #[serde(default)]
    pub status: AccountStatus,
    /// `138****1234`.
    #[serde(default)]
    pub phone_masked: Option<String>,
    /// Who made it; `None` when its owner registered.
    #[serde(default)]
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When its owner first set a password (registered or activated):
    /// a reactivated account is active again only if it ever was.
    #[serde(default)]
    pub activated_at: Option<DateTime<Utc>>,
    /// When its owner accepted the terms of service and privacy notice
    /// (at registration or activation), and which version.
    #[serde(default)]
    pub consent_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub consent_version: Option<String>,
    /// The last change of role, site or status: by whom, when, why.
    #[serde(default)]
    pub changed_by: Option<String>,
    #[serde(default)]
    pub changed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub reason: Option<String>,
}

impl Account {
    pub fn may_sign_in(&self) -> bool {
        self.status == AccountStatus::Active
    }
}

/// A mainland mobile number in its one stored form (`13812345678`), or
/// `None` if it is not one. Spaces, dashes and a `+86`/`86` prefix are
/// accepted on the way in: people type numbers as they write them.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let digits: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let digits = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("0086"))
        .unwrap_or(&digits);
    let digits = match digits.len() {
        13 => digits.strip_prefix("86")?,
        _ => digits,
    };
    let b = digits.as_bytes();
    let ok = b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1]);
    ok.then(|| digits.to_owned())
}

/// `138****1234` for a normalised number.
pub fn mask_phone(phone: &str) -> String {
    let n = phone.chars().count();
    if n < 7 {
        return "*".repeat(n);
    }
    let head: String = phone.chars().take(3).collect();
    let tail: String = phone.chars().skip(n - 4).collect();
    format!("{head}{}{tail}", "*".repeat(n - 7))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised_or_refused() {
        for ok in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "+86 138 1234 5678",
            "8613812345678",
            "008613812345678",
        ] {
            assert_eq!(normalize_phone(ok).as_deref(), Some("13812345678"), "{ok}");
        }
        for bad in [
            "",
            "1381234567",
            "138123456789",
            "12812345678",
            "23812345678",
            "1381234567x",
            "+1 415 555 0100",
            "１３８１２３４５６７８",
        ] {
            assert_eq!(normalize_phone(bad), None, "{bad}");
        }
        assert_eq!(mask_phone("13812345678"), "138****5678");
    }
}
