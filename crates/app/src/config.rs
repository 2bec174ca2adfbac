//! Configuration: command-line flags override environment variables (`INSPECTORATE_*`),
//! which override an optional TOML file (`--config FILE`), which overrides the defaults.
//! Loading never writes files.

use anyhow::Context;
use std::path::Path;

/// The default database: a SQLite file in the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite://inspectorate.db";
/// The default listening address (loopback: expose it through a reverse proxy with TLS).
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// The default root region of a deployment (Anhui province).
pub const DEFAULT_ROOT_REGION: &str = "340000";

/// Values a TOML config file may set; every key is optional.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Database URL.
    pub database: Option<String>,
    /// Listening address.
    pub addr: Option<String>,
    /// `json` for JSON logs, `text` otherwise.
    pub log_format: Option<String>,
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub cookie_secure: Option<bool>,
    /// The region at the top of this deployment (where the first administrator lives).
    pub root_region: Option<String>,
    /// Where evidence files are stored (default: `evidence/` beside the SQLite file, or in the
    /// working directory for PostgreSQL).
    pub evidence_dir: Option<std::path::PathBuf>,
    /// The key file that seals covert plans (default: `covert.key` beside the SQLite file, or in
    /// the working directory for PostgreSQL). Keep it out of database backups.
    pub covert_key_file: Option<std::path::PathBuf>,
}

impl FileConfig {
    /// Reads a TOML file; a missing file is an error (it was named explicitly).
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading config {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing config {}", path.display()))
    }
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Database URL.
    pub database: String,
    /// Listening address.
    pub addr: String,
    /// JSON logs.
    pub log_json: bool,
    /// `Secure` cookies.
    pub cookie_secure: bool,
    /// Root region code.
    pub root_region: String,
    /// Evidence directory.
    pub evidence_dir: std::path::PathBuf,
    /// Covert-plan key file.
    pub covert_key_file: std::path::PathBuf,
}

impl Config {
    /// Resolves flags (already merged with env by clap) over the file over the defaults.
    pub fn resolve(
        file: FileConfig,
        database: Option<String>,
        addr: Option<String>,
        log_format: Option<String>,
        cookie_secure: Option<bool>,
    ) -> Self {
        let database = database.or(file.database).unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
        let beside_database = |name: &str| match database.strip_prefix("sqlite://") {
            Some(path) => std::path::Path::new(path).parent().unwrap_or(std::path::Path::new(".")).join(name),
            None => std::path::PathBuf::from(name),
        };
        let evidence_dir = file.evidence_dir.unwrap_or_else(|| beside_database("evidence"));
        let covert_key_file = file.covert_key_file.unwrap_or_else(|| beside_database("covert.key"));
        Self {
            database,
            evidence_dir,
            covert_key_file,
            addr: addr.or(file.addr).unwrap_or_else(|| DEFAULT_ADDR.to_owned()),
            log_json: log_format.or(file.log_format).is_some_and(|f| f == "json"),
            cookie_secure: cookie_secure.or(file.cookie_secure).unwrap_or(false),
            root_region: file.root_region.unwrap_or_else(|| DEFAULT_ROOT_REGION.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file_which_overrides_defaults() {
        let file: FileConfig = toml::from_str("database = \"postgres://x/y\"\naddr = \"0.0.0.0:9\"").unwrap();
        let c = Config::resolve(file, None, Some("127.0.0.1:1".into()), None, None);
        assert_eq!(c.database, "postgres://x/y");
        assert_eq!(c.addr, "127.0.0.1:1");
        let defaults = Config::resolve(FileConfig::default(), None, None, None, None);
        assert_eq!(defaults.database, DEFAULT_DATABASE);
        assert_eq!(defaults.evidence_dir, std::path::PathBuf::from("evidence"), "beside the SQLite file");
        let data =
            Config::resolve(FileConfig::default(), Some("sqlite:///var/lib/insp/db.sqlite".into()), None, None, None);
        assert_eq!(data.evidence_dir, std::path::PathBuf::from("/var/lib/insp/evidence"));
    }

    #[test]
    fn unknown_keys_in_the_file_are_an_error() {
        assert!(toml::from_str::<FileConfig>("databse = \"typo\"").is_err());
    }
}
