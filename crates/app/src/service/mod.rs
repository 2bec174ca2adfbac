//! Use-cases shared by the web server and the CLI. Each one checks permission and scope,
//! performs its change in one transaction and writes the audit entry in that same
//! transaction.

pub mod accidents;
pub mod audit;
pub mod auth;
pub mod campaigns;
pub mod covert;
pub mod cross;
pub mod evaluation;
pub mod evidence;
pub mod figures;
pub mod guidance;
pub mod hazard_query;
pub mod hazards;
pub mod inspections;
pub mod penalties;
pub mod plans;
pub mod registers;
pub mod users;

use crate::clock::SharedClock;
use domain::access::Principal;
use domain::audit::AuditEvent;
use store::{Db, StoreError, Tx};

/// The application: its database, its clock and its fixed settings.
#[derive(Debug, Clone)]
pub struct App {
    /// Storage.
    pub db: Db,
    /// "Now".
    pub clock: SharedClock,
    /// The deployment's top region (chain for events with no better region).
    pub root_region: String,
    /// Where evidence files are kept (outside the web root).
    pub evidence_dir: std::path::PathBuf,
    /// The keys that seal covert plans (kept outside the database).
    pub keys: std::sync::Arc<domain::seal::Keyring>,
    /// Drawn plans' teams, read once (drawn records never change).
    pub drawn: inspections::DrawnTeams,
}

/// Who is acting, for permission checks and the audit trail.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The logged-in user, if any (none for the CLI operator and anonymous visitors).
    pub principal: Option<Principal>,
    /// Name written to the audit trail.
    pub name: String,
    /// Role written to the audit trail.
    pub role: String,
    /// Request id (HTTP) or run id (CLI).
    pub request_id: String,
}

impl Actor {
    /// A logged-in user.
    pub fn user(p: &Principal, request_id: &str) -> Self {
        Self {
            name: p.username.clone(),
            role: p.role.as_str().to_owned(),
            principal: Some(p.clone()),
            request_id: request_id.to_owned(),
        }
    }

    /// The operator running the CLI on the server (trusted: has the database itself).
    pub fn cli() -> Self {
        let user = std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned());
        Self { principal: None, name: format!("cli:{user}"), role: "operator".to_owned(), request_id: store::new_id() }
    }

    /// Someone not logged in (a failed login attempt).
    pub fn anonymous(name: &str, request_id: &str) -> Self {
        Self { principal: None, name: name.to_owned(), role: "none".to_owned(), request_id: request_id.to_owned() }
    }
}

/// What a use-case can refuse or fail with. Web and CLI map these to status codes / exit codes.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Unknown, or outside the caller's scope (the same to the caller).
    #[error("not found")]
    NotFound,
    /// The caller's role does not allow this.
    #[error("not allowed for your role")]
    Forbidden,
    /// Input is invalid; the message says which field and why.
    #[error("{field}: {message}")]
    Invalid {
        /// The field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// Someone else changed the record first.
    #[error("{0}")]
    Conflict(String),
    /// Wrong username or password.
    #[error("wrong username or password")]
    BadCredentials,
    /// Too many failed logins.
    #[error("too many failed logins; try again after {until}")]
    Locked {
        /// When the lock ends (RFC 3339, UTC).
        until: String,
    },
    /// No valid session.
    #[error("not logged in or session expired")]
    Unauthenticated,
    /// A one-time password must be changed first.
    #[error("you must change your one-time password first")]
    PasswordChangeRequired,
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
    /// Anything else unexpected.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict { .. } => Self::Conflict(e.to_string()),
            other => Self::Store(other),
        }
    }
}

/// An optional day filter from a query parameter (`""`: none), or which field is wrong.
pub fn optional_day(field: &str, v: &str) -> Result<Option<String>, ServiceError> {
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<jiff::civil::Date>().map(|d| Some(d.to_string())).map_err(|_| invalid(field, "use YYYY-MM-DD"))
}

/// An optional region filter from a query parameter (`""`: none): the jurisdiction of that code.
pub fn optional_region(code: &str) -> Result<Option<domain::region::RegionPrefix>, ServiceError> {
    match code {
        "" => Ok(None),
        c => Ok(Some(
            crate::refdata::REGION_BY_CODE.get(c).ok_or_else(|| invalid("region", "is not a region code"))?.prefix(),
        )),
    }
}

/// Shorthand for invalid input.
pub fn invalid(field: &str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid { field: field.to_owned(), message: message.into() }
}

impl App {
    /// Now, in ms.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Today's date in China (Asia/Shanghai): what deadlines, certificates and "today" mean.
    pub fn today(&self) -> jiff::civil::Date {
        jiff::Timestamp::from_millisecond(self.now_ms())
            .ok()
            .and_then(|t| t.in_tz("Asia/Shanghai").ok())
            .map(|z| z.date())
            .unwrap_or_default()
    }

    /// Writes an audit entry inside `tx`. The chain is the acting user's region unless a
    /// more specific region (the object's) is given.
    #[allow(clippy::too_many_arguments)]
    pub async fn audit(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        chain: Option<&str>,
        action: &str,
        object: (&str, &str),
        result: &str,
        detail: serde_json::Value,
    ) -> Result<(), StoreError> {
        let chain = chain
            .map(str::to_owned)
            .or_else(|| actor.principal.as_ref().map(|p| p.region.as_str().to_owned()))
            .unwrap_or_else(|| self.root_region.clone());
        let event = AuditEvent {
            actor: actor.name.clone(),
            role: actor.role.clone(),
            action: action.to_owned(),
            object_type: object.0.to_owned(),
            object_id: object.1.to_owned(),
            result: result.to_owned(),
            request_id: actor.request_id.clone(),
            detail: detail.to_string(),
        };
        store::audit::append(tx, &chain, self.now_ms(), event).await.map(|_| ())
    }

    /// Writes a stand-alone audit entry (denied access, failed login) in its own transaction.
    pub async fn audit_alone(
        &self,
        actor: &Actor,
        action: &str,
        object: (&str, &str),
        result: &str,
        detail: serde_json::Value,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        self.audit(&mut tx, actor, None, action, object, result, detail).await?;
        tx.commit().await
    }
}

/// Fills a buffer from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the OS random source is available");
    buf
}
