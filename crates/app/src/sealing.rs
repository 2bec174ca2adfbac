//! The covert-plan key file: where the keys that seal covert plans live (outside the
//! database, so that a dump or backup of the database alone does not reveal sealed plans).
//!
//! The file holds one key per line (`<id> <64 hex digits>`); the last line seals, all lines
//! open. A missing file is created with a fresh key on first start (mode 0600). Rotation
//! (`inspectorate covert rotate-key`) appends a new key and re-seals every plan with it; the
//! old line can then be removed (docs/OPERATIONS.md).

use anyhow::Context;
use domain::seal::Keyring;
use std::io::Write;
use std::path::Path;

/// Reads the key file, creating it with one fresh key if it does not exist.
pub fn load_or_create(path: &Path) -> anyhow::Result<Keyring> {
    if !path.exists() {
        append_key(path).with_context(|| format!("creating the covert key file {}", path.display()))?;
        tracing::info!(path = %path.display(), "created a new covert key file; back it up separately from the database");
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading the covert key file {}", path.display()))?;
    Keyring::parse(&text).with_context(|| format!("the covert key file {}", path.display()))
}

/// Appends a fresh key to the file (creating it, owner-only, if needed) and returns its id.
pub fn append_key(path: &Path) -> anyhow::Result<String> {
    let id = format!("k{}", hex::encode(crate::service::random_bytes::<6>()));
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = options.open(path)?;
    file.write_all(Keyring::line(&id, &crate::service::random_bytes::<32>()).as_bytes())?;
    file.sync_all()?;
    Ok(id)
}

/// A keyring that lives only in memory (tests, benchmarks, scratch databases).
pub fn ephemeral_keys() -> std::sync::Arc<Keyring> {
    std::sync::Arc::new(Keyring::single("ephemeral", crate::service::random_bytes::<32>()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_missing_key_file_is_created_owner_only_and_rotation_appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/covert.key");
        let first = super::load_or_create(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(
            super::load_or_create(&path).unwrap().current_id(),
            first.current_id(),
            "loading again keeps the key"
        );
        let new_id = super::append_key(&path).unwrap();
        let ring = super::load_or_create(&path).unwrap();
        assert_eq!(ring.current_id(), new_id);
        let old = first.seal("r", b"x", [0; 12]);
        assert_eq!(ring.open("r", &old).unwrap(), b"x", "old values still open after rotation");
    }
}
