//! Logging in and out, sessions, passwords, and the first administrator.
//!
//! Passwords are hashed with Argon2id (PHC strings, so parameters can change later without
//! breaking old hashes). Session tokens are 32 random bytes; the database keeps only their
//! SHA-256. A new token is issued at every login (no session fixation). Lockout is counted
//! per account in the database, so it holds across restarts and servers.

use super::{Actor, App, ServiceError, invalid, random_bytes};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use domain::access::{Principal, Role};
use domain::region::{RegionCode, RegionPrefix};
use domain::session::{self, LOCKOUT_MS, LOCKOUT_THRESHOLD, TOUCH_INTERVAL_MS};
use serde_json::json;
use sha2::{Digest, Sha256};
use store::user::{NewUser, Session, User};

/// Session kinds: a browser cookie or an API bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// Browser session cookie (CSRF-protected forms).
    Web,
    /// `Authorization: Bearer` token.
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Api => "api",
        }
    }
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoginOk {
    /// The secret token (cookie value or bearer token): shown once, stored hashed.
    pub token: String,
    /// The CSRF token for the session's forms.
    pub csrf: String,
    /// Who logged in.
    pub user: User,
}

/// An authenticated request's identity.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The user as the rest of the system sees them.
    pub principal: Principal,
    /// The session (for its CSRF token).
    pub session: Session,
    /// Whether the user must change a one-time password before anything else.
    pub must_change_password: bool,
    /// Display name.
    pub display_name: String,
}

/// SHA-256 of a token, hex: what the database stores.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Hashes a password with Argon2id on a blocking thread (it takes tens of milliseconds by
/// design).
pub async fn hash_password(password: &str) -> anyhow::Result<String> {
    let pw = password.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(pw.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing: {e}"))
    })
    .await?
}

async fn verify_password(password: &str, phc: &str) -> bool {
    let (pw, phc) = (password.to_owned(), phc.to_owned());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc).is_ok_and(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// A random one-time password: 16 characters from an alphabet without look-alikes.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY3479";
    random_bytes::<16>().iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}

/// Builds the principal for a stored user.
pub fn principal_of(u: &User) -> Result<Principal, ServiceError> {
    let region = RegionCode::parse(&u.region_code).map_err(|e| ServiceError::Other(e.into()))?;
    Ok(Principal {
        user_id: u.id.clone(),
        username: u.username.clone(),
        role: u.role,
        region_prefix: RegionPrefix::of(&region, u.region_level),
        region,
        enterprise_id: u.enterprise_id.clone(),
        department: u.department.clone(),
    })
}

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}

impl App {
    /// Checks a username and password and opens a session.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        kind: SessionKind,
        request_id: &str,
    ) -> Result<LoginOk, ServiceError> {
        let now = self.now_ms();
        let username = username.trim();
        let who = Actor::anonymous(&username.chars().take(64).collect::<String>(), request_id);
        let Some(user) = store::user::by_username(&self.db, username).await? else {
            // Spend the same time as a real check so timing does not reveal which names exist.
            let _ = verify_password(password, DUMMY_HASH).await;
            self.audit_alone(&who, "user.login", ("user", username), "denied", json!({"reason": "unknown user"}))
                .await?;
            return Err(ServiceError::BadCredentials);
        };
        if let Some(until) = user.locked_until.filter(|&u| u > now) {
            self.audit_alone(&who, "user.login", ("user", &user.id), "denied", json!({"reason": "locked"})).await?;
            return Err(ServiceError::Locked { until: rfc3339(until) });
        }
        if user.disabled || !verify_password(password, &user.password_hash).await {
            let mut tx = self.db.begin().await?;
            let locked = store::user::login_failed(&mut tx, &user.id, now, LOCKOUT_THRESHOLD, LOCKOUT_MS).await?;
            let reason = if user.disabled { "disabled" } else { "wrong password" };
            self.audit(
                &mut tx,
                &who,
                Some(&user.region_code),
                "user.login",
                ("user", &user.id),
                "denied",
                json!({"reason": reason, "locked": locked.is_some()}),
            )
            .await?;
            tx.commit().await?;
            return Err(match locked {
                Some(until) => ServiceError::Locked { until: rfc3339(until) },
                None => ServiceError::BadCredentials,
            });
        }
        let token = hex::encode(random_bytes::<32>());
        let csrf = hex::encode(random_bytes::<32>());
        let mut tx = self.db.begin().await?;
        store::user::clear_failures(&mut tx, &user.id).await?;
        let s = Session {
            token_hash: token_hash(&token),
            user_id: user.id.clone(),
            kind: kind.as_str().to_owned(),
            csrf_token: csrf.clone(),
            created_at: now,
            last_seen_at: now,
        };
        store::user::create_session(&mut tx, &s).await?;
        let actor = Actor::user(&principal_of(&user)?, request_id);
        self.audit(&mut tx, &actor, None, "user.login", ("user", &user.id), "ok", json!({"kind": kind.as_str()}))
            .await?;
        tx.commit().await?;
        Ok(LoginOk { token, csrf, user })
    }

    /// Resolves a session token. Expired sessions are ended and refused.
    pub async fn authenticate(&self, token: &str, kind: SessionKind) -> Result<Authenticated, ServiceError> {
        let hash = token_hash(token);
        let now = self.now_ms();
        let (session, user) =
            store::user::find_session_with_user(&self.db, &hash).await?.ok_or(ServiceError::Unauthenticated)?;
        if session.kind != kind.as_str() {
            return Err(ServiceError::Unauthenticated);
        }
        if !session::session_alive(session.created_at, session.last_seen_at, now) {
            let mut tx = self.db.begin().await?;
            store::user::end_session(&mut tx, &hash, now).await?;
            tx.commit().await?;
            return Err(ServiceError::Unauthenticated);
        }
        if now - session.last_seen_at >= TOUCH_INTERVAL_MS {
            store::user::touch_session(&self.db, &hash, now).await?;
        }
        if user.disabled {
            return Err(ServiceError::Unauthenticated);
        }
        Ok(Authenticated {
            principal: principal_of(&user)?,
            must_change_password: user.must_change_password,
            display_name: user.display_name,
            session,
        })
    }

    /// Ends the session of `token`.
    pub async fn logout(&self, auth: &Authenticated, request_id: &str) -> Result<(), ServiceError> {
        let mut tx = self.db.begin().await?;
        store::user::end_session(&mut tx, &auth.session.token_hash, self.now_ms()).await?;
        let actor = Actor::user(&auth.principal, request_id);
        self.audit(&mut tx, &actor, None, "user.logout", ("user", &auth.principal.user_id), "ok", json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes the caller's own password (required after a one-time password). Other
    /// sessions of the account are ended.
    pub async fn change_password(
        &self,
        auth: &Authenticated,
        current: &str,
        new: &str,
        request_id: &str,
    ) -> Result<(), ServiceError> {
        let user = store::user::by_id(&self.db, &auth.principal.user_id).await?;
        if !verify_password(current, &user.password_hash).await {
            return Err(invalid("current_password", "is not your current password"));
        }
        session::check_new_password(&user.username, new).map_err(|e| invalid("new_password", e.to_string()))?;
        if new == current {
            return Err(invalid("new_password", "must differ from the current password"));
        }
        let hash = hash_password(new).await?;
        let now = self.now_ms();
        let mut tx = self.db.begin().await?;
        store::user::set_password(&mut tx, &user.id, &hash, false, now).await?;
        // End every other session of the account; keep the one that made the change.
        store::user::end_other_sessions(&mut tx, &user.id, &auth.session.token_hash, now).await?;
        let actor = Actor::user(&auth.principal, request_id);
        self.audit(&mut tx, &actor, None, "user.change_password", ("user", &user.id), "ok", json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// On an empty database, creates the system administrator `admin` with a one-time
    /// password, which is returned to be printed once. Returns `None` if accounts exist.
    pub async fn bootstrap_admin(&self) -> Result<Option<String>, ServiceError> {
        if store::user::count(&self.db).await? > 0 {
            return Ok(None);
        }
        let password = one_time_password();
        let new = NewUser {
            username: "admin".to_owned(),
            display_name: "System administrator".to_owned(),
            role: Role::SysAdmin,
            region_code: self.root_region.clone(),
            enterprise_id: None,
            department: None,
            password_hash: hash_password(&password).await?,
            must_change_password: true,
        };
        let mut tx = self.db.begin().await?;
        let id = store::user::create(&mut tx, &new, self.now_ms()).await?;
        self.audit(&mut tx, &Actor::cli(), None, "user.bootstrap", ("user", &id), "ok", json!({"username": "admin"}))
            .await?;
        tx.commit().await?;
        Ok(Some(password))
    }
}

/// A valid Argon2id hash of a random string, verified against when the username is unknown.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4A6Wg2FZbM1ooWQ+gKkmKuNuaKhIWkHB4XRm3UnsV7Y";
