//! Session and login policy: timeouts and lockout, as numbers the whole system shares.

/// A session ends after this long without a request (30 minutes).
pub const IDLE_TIMEOUT_MS: i64 = 30 * 60 * 1000;
/// A session ends this long after login, however active (12 hours).
pub const ABSOLUTE_TIMEOUT_MS: i64 = 12 * 60 * 60 * 1000;
/// Consecutive failed logins that lock an account.
pub const LOCKOUT_THRESHOLD: i64 = 5;
/// How long a locked account stays locked (15 minutes).
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;
/// A session's last-seen time is written at most this often, so reads do not become writes.
pub const TOUCH_INTERVAL_MS: i64 = 60 * 1000;

/// Whether a session created at `created_ms` and last used at `last_seen_ms` is still valid
/// at `now_ms`.
pub fn session_alive(created_ms: i64, last_seen_ms: i64, now_ms: i64) -> bool {
    now_ms - last_seen_ms < IDLE_TIMEOUT_MS && now_ms - created_ms < ABSOLUTE_TIMEOUT_MS
}

/// Minimum password length for accounts (NIST SP 800-63B suggests at least 8; we ask 10).
pub const MIN_PASSWORD_LEN: usize = 10;

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Too short.
    #[error("a password needs at least {MIN_PASSWORD_LEN} characters")]
    TooShort,
    /// Same as the username.
    #[error("a password must not be the username")]
    IsUsername,
}

/// Checks a new password against the policy.
pub fn check_new_password(username: &str, password: &str) -> Result<(), PasswordError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(PasswordError::TooShort);
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(PasswordError::IsUsername);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_when_idle_or_too_old() {
        assert!(session_alive(0, 0, IDLE_TIMEOUT_MS - 1));
        assert!(!session_alive(0, 0, IDLE_TIMEOUT_MS));
        let active_all_day = ABSOLUTE_TIMEOUT_MS - 1000;
        assert!(!session_alive(0, active_all_day, ABSOLUTE_TIMEOUT_MS));
    }

    #[test]
    fn short_passwords_and_the_username_are_refused() {
        assert_eq!(check_new_password("luan", "short"), Err(PasswordError::TooShort));
        assert_eq!(check_new_password("luan-office", "LUAN-OFFICE"), Err(PasswordError::IsUsername));
        assert!(check_new_password("luan", "a long enough secret").is_ok());
    }
}
