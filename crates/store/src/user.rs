//! Accounts and sessions. Passwords arrive here already hashed (Argon2id, by the app);
//! session and API tokens arrive as their SHA-256, so a database dump holds no usable secret.

use crate::sql::{Row, query};
use crate::{Db, Result, StoreError, Tx, new_id};
use domain::access::Role;
use domain::region::RegionLevel;

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// The account's one role.
    pub role: Role,
    /// Region code.
    pub region_code: String,
    /// Level of that region (gives the jurisdiction prefix).
    pub region_level: RegionLevel,
    /// For enterprise accounts.
    pub enterprise_id: Option<String>,
    /// For department regulators: the department code, which narrows what they see.
    pub department: Option<String>,
    /// PHC string.
    pub password_hash: String,
    /// Set for one-time passwords: every request is sent to the change form until changed.
    pub must_change_password: bool,
    /// Consecutive failed logins.
    pub failed_logins: i64,
    /// Locked until this instant (ms), if locked.
    pub locked_until: Option<i64>,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
    /// Optimistic version.
    pub version: i64,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Region code (must exist in the region register).
    pub region_code: String,
    /// Enterprise id, for enterprise accounts.
    pub enterprise_id: Option<String>,
    /// Department code, for department regulators (must exist in the department register).
    pub department: Option<String>,
    /// PHC string.
    pub password_hash: String,
    /// Whether the password is one-time.
    pub must_change_password: bool,
}

const SELECT: &str = "SELECT u.id, u.username, u.display_name, u.role, u.region_code, r.level AS region_level,
    u.enterprise_id, u.department, u.password_hash, u.must_change_password, u.failed_logins, u.locked_until, u.disabled, u.version
    FROM app_user u JOIN region r ON r.code = u.region_code";

fn from_row(r: &Row) -> Result<User> {
    let bad = |w: &str| StoreError::Corrupt(format!("app_user {w}"));
    Ok(User {
        id: r.text("id")?,
        username: r.text("username")?,
        display_name: r.text("display_name")?,
        role: Role::parse(&r.text("role")?).ok_or_else(|| bad("role"))?,
        region_code: r.text("region_code")?,
        region_level: RegionLevel::parse(&r.text("region_level")?).ok_or_else(|| bad("region level"))?,
        enterprise_id: r.opt_text("enterprise_id")?,
        department: r.opt_text("department")?,
        password_hash: r.text("password_hash")?,
        must_change_password: r.bool("must_change_password")?,
        failed_logins: r.int("failed_logins")?,
        locked_until: r.opt_int("locked_until")?,
        disabled: r.bool("disabled")?,
        version: r.int("version")?,
    })
}

/// Creates an account; a taken username is `Duplicate("app_user_username_uq")`.
pub async fn create(tx: &mut Tx, u: &NewUser, now_ms: i64) -> Result<String> {
    let id = new_id();
    query(
        "INSERT INTO app_user (id, username, display_name, role, region_code, enterprise_id, department,
         password_hash, must_change_password, failed_logins, disabled, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, FALSE, 1, $10, $10)",
    )
    .bind(id.as_str())
    .bind(u.username.as_str())
    .bind(u.display_name.as_str())
    .bind(u.role.as_str())
    .bind(u.region_code.as_str())
    .bind(u.enterprise_id.as_deref())
    .bind(u.department.as_deref())
    .bind(u.password_hash.as_str())
    .bind(u.must_change_password)
    .bind(now_ms)
    .execute(tx.ex())
    .await?;
    Ok(id)
}

/// Finds an account by login name.
pub async fn by_username(db: &Db, username: &str) -> Result<Option<User>> {
    let sql = format!("{SELECT} WHERE u.username = $1");
    crate::sql::dynamic_query(sql).bind(username).fetch_optional(db.reader()).await?.as_ref().map(from_row).transpose()
}

/// Finds an account by id.
pub async fn by_id(db: &Db, id: &str) -> Result<User> {
    let sql = format!("{SELECT} WHERE u.id = $1");
    from_row(&crate::sql::dynamic_query(sql).bind(id).fetch_one(db.reader()).await?)
}

/// Every account, by username.
pub async fn list(db: &Db) -> Result<Vec<User>> {
    let sql = format!("{SELECT} ORDER BY u.username");
    crate::sql::dynamic_query(sql).fetch_all(db.reader()).await?.iter().map(from_row).collect()
}

/// How many accounts exist (zero on a fresh database: time to create the first administrator).
pub async fn count(db: &Db) -> Result<i64> {
    query("SELECT COUNT(*) AS n FROM app_user").fetch_one(db.reader()).await?.int("n")
}

/// Records a failed login; at the threshold the account locks for `lock_ms` and the counter
/// restarts. Returns the lock end if the account is now locked.
pub async fn login_failed(
    tx: &mut Tx,
    user_id: &str,
    now_ms: i64,
    threshold: i64,
    lock_ms: i64,
) -> Result<Option<i64>> {
    let row = query("UPDATE app_user SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins")
        .bind(user_id)
        .fetch_one(tx.ex())
        .await?;
    if row.int("failed_logins")? >= threshold {
        let until = now_ms + lock_ms;
        query("UPDATE app_user SET failed_logins = 0, locked_until = $1 WHERE id = $2")
            .bind(until)
            .bind(user_id)
            .execute(tx.ex())
            .await?;
        return Ok(Some(until));
    }
    Ok(None)
}

/// Clears the failure counter and any lock after a successful login (or an unlock).
pub async fn clear_failures(tx: &mut Tx, user_id: &str) -> Result<()> {
    query("UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(user_id)
        .execute(tx.ex())
        .await?;
    Ok(())
}

/// Replaces the password hash.
pub async fn set_password(tx: &mut Tx, user_id: &str, hash: &str, must_change: bool, now_ms: i64) -> Result<()> {
    query(
        "UPDATE app_user SET password_hash = $1, must_change_password = $2, version = version + 1, updated_at = $3
         WHERE id = $4",
    )
    .bind(hash)
    .bind(must_change)
    .bind(now_ms)
    .bind(user_id)
    .execute(tx.ex())
    .await?;
    Ok(())
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Owner.
    pub user_id: String,
    /// `web` (cookie) or `api` (bearer).
    pub kind: String,
    /// The anti-CSRF token forms must carry.
    pub csrf_token: String,
    /// Login time (ms).
    pub created_at: i64,
    /// Last request (ms, updated at most once a minute).
    pub last_seen_at: i64,
}

/// Stores a new session.
pub async fn create_session(tx: &mut Tx, s: &Session) -> Result<()> {
    query(
        "INSERT INTO session (token_hash, user_id, kind, csrf_token, created_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(s.token_hash.as_str())
    .bind(s.user_id.as_str())
    .bind(s.kind.as_str())
    .bind(s.csrf_token.as_str())
    .bind(s.created_at)
    .bind(s.last_seen_at)
    .execute(tx.ex())
    .await?;
    Ok(())
}

const SESSION_COLUMNS: &str = "s.token_hash, s.user_id, s.kind, s.csrf_token, s.created_at, s.last_seen_at";

fn session_from_row(r: &Row) -> Result<Session> {
    Ok(Session {
        token_hash: r.text("token_hash")?,
        user_id: r.text("user_id")?,
        kind: r.text("kind")?,
        csrf_token: r.text("csrf_token")?,
        created_at: r.int("created_at")?,
        last_seen_at: r.int("last_seen_at")?,
    })
}

/// The open (not ended) session with this token hash, if any. Expiry is the caller's check.
pub async fn find_session(db: &Db, token_hash: &str) -> Result<Option<Session>> {
    let sql = format!("SELECT {SESSION_COLUMNS} FROM session s WHERE s.token_hash = $1 AND s.ended_at IS NULL");
    let row = crate::sql::dynamic_query(sql).bind(token_hash).fetch_optional(db.reader()).await?;
    row.as_ref().map(session_from_row).transpose()
}

/// The open session with this token hash and its account, in one read: every authenticated
/// request needs both, and a round trip to the database is a request's largest fixed cost.
pub async fn find_session_with_user(db: &Db, token_hash: &str) -> Result<Option<(Session, User)>> {
    let sql = format!(
        "{SELECT} JOIN session s ON s.user_id = u.id WHERE s.token_hash = $1 AND s.ended_at IS NULL",
        SELECT = SELECT.replacen("SELECT ", &format!("SELECT {SESSION_COLUMNS}, "), 1)
    );
    let row = crate::sql::dynamic_query(sql).bind(token_hash).fetch_optional(db.reader()).await?;
    row.as_ref().map(|r| Ok((session_from_row(r)?, from_row(r)?))).transpose()
}

/// Records activity on a session.
pub async fn touch_session(db: &Db, token_hash: &str, now_ms: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    query("UPDATE session SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(now_ms)
        .bind(token_hash)
        .execute(tx.ex())
        .await?;
    tx.commit().await
}

/// Ends one session (logout, expiry).
pub async fn end_session(tx: &mut Tx, token_hash: &str, now_ms: i64) -> Result<()> {
    query("UPDATE session SET ended_at = $1 WHERE token_hash = $2 AND ended_at IS NULL")
        .bind(now_ms)
        .bind(token_hash)
        .execute(tx.ex())
        .await?;
    Ok(())
}

/// Ends every open session of an account (password change, lock by the security admin).
pub async fn end_all_sessions(tx: &mut Tx, user_id: &str, now_ms: i64) -> Result<u64> {
    query("UPDATE session SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL")
        .bind(now_ms)
        .bind(user_id)
        .execute(tx.ex())
        .await
}

/// Ends every open session of an account except `keep` (after a password change).
pub async fn end_other_sessions(tx: &mut Tx, user_id: &str, keep: &str, now_ms: i64) -> Result<u64> {
    query("UPDATE session SET ended_at = $1 WHERE user_id = $2 AND token_hash <> $3 AND ended_at IS NULL")
        .bind(now_ms)
        .bind(user_id)
        .bind(keep)
        .execute(tx.ex())
        .await
}
