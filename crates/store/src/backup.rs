//! Backups: SQLite's online copy (`VACUUM INTO`, consistent while the server runs) and
//! PostgreSQL's `pg_dump` custom format. Restores refuse to overwrite a database that holds
//! data unless forced, and the caller verifies the audit chain of what was restored.

use crate::sql::dynamic_query;
use crate::{Db, Result, StoreError};
use std::path::Path;
use std::process::Command;

/// Writes a consistent copy of the database to `file` (which must not exist).
pub async fn backup(db: &Db, file: &Path) -> Result<()> {
    if file.exists() {
        return Err(StoreError::Corrupt(format!("{} already exists; choose a new file", file.display())));
    }
    match db {
        Db::Sqlite { .. } => {
            let path = file.to_str().ok_or_else(|| StoreError::Corrupt("backup path is not UTF-8".into()))?;
            // VACUUM INTO takes a file name literal; quote it by doubling single quotes.
            let sql = format!("VACUUM INTO '{}'", path.replace('\'', "''"));
            dynamic_query(sql).execute(db.reader()).await?;
            Ok(())
        }
        Db::Postgres { url, .. } => {
            run_tool(Command::new("pg_dump").args(["--format=custom", "--no-owner", "--file"]).arg(file).arg(url))
        }
    }
}

fn run_tool(cmd: &mut Command) -> Result<()> {
    let out = cmd.output().map_err(|e| StoreError::Corrupt(format!("cannot run {:?}: {e}", cmd.get_program())))?;
    if !out.status.success() {
        return Err(StoreError::Corrupt(format!(
            "{:?} failed: {}",
            cmd.get_program(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// Restores a backup into the database at `url`. For SQLite the target file is replaced
/// atomically (the server must be stopped); for PostgreSQL, `pg_restore --clean` runs against
/// the target database.
pub async fn restore(file: &Path, url: &str) -> Result<()> {
    if !file.exists() {
        return Err(StoreError::Corrupt(format!("{} does not exist", file.display())));
    }
    if let Some(target) = url.strip_prefix("sqlite://") {
        // Open the backup first: it must be a database this version can read.
        let probe = Db::connect(&format!("sqlite://{}", file.display())).await?;
        probe.close().await;
        let target = Path::new(target);
        let tmp = target.with_extension("restoring");
        std::fs::copy(file, &tmp).map_err(|e| StoreError::Corrupt(format!("copy failed: {e}")))?;
        for suffix in ["-wal", "-shm"] {
            let mut p = target.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
        std::fs::rename(&tmp, target).map_err(|e| StoreError::Corrupt(format!("replace failed: {e}")))?;
        Ok(())
    } else {
        run_tool(
            Command::new("pg_restore").args(["--clean", "--if-exists", "--no-owner", "--dbname"]).arg(url).arg(file),
        )
    }
}
