//! The evidence directory: files stored by the SM3 of their content, outside the web root,
//! written atomically (temporary file, then rename) so a crash never leaves half a file
//! under a valid name. The same content is stored once.

use sm3::{Digest, Sm3};
use std::path::{Path, PathBuf};

/// SM3 of bytes, hex.
pub fn sm3_hex(bytes: &[u8]) -> String {
    hex::encode(Sm3::digest(bytes))
}

fn valid(sm3: &str) -> bool {
    sm3.len() == 64 && sm3.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn path_of(dir: &Path, sm3: &str) -> PathBuf {
    dir.join(&sm3[..2]).join(sm3)
}

/// Stores `bytes` (if not already there) and returns their SM3.
pub fn put(dir: &Path, bytes: &[u8]) -> std::io::Result<String> {
    let sm3 = sm3_hex(bytes);
    let target = path_of(dir, &sm3);
    if target.exists() {
        return Ok(sm3);
    }
    std::fs::create_dir_all(target.parent().expect("has a parent"))?;
    let tmp = dir.join(format!(".upload-{}", uuid::Uuid::now_v7().simple()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, &target)?;
    Ok(sm3)
}

/// Reads a stored file; `None` for a malformed name or a missing file.
pub fn get(dir: &Path, sm3: &str) -> Option<Vec<u8>> {
    if !valid(sm3) {
        return None;
    }
    std::fs::read(path_of(dir, sm3)).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_same_content_is_stored_once_under_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let a = super::put(dir.path(), b"%PDF-1.4 a").unwrap();
        let b = super::put(dir.path(), b"%PDF-1.4 a").unwrap();
        assert_eq!(a, b);
        assert_eq!(super::get(dir.path(), &a).unwrap(), b"%PDF-1.4 a");
        assert!(super::get(dir.path(), "../../etc/passwd").is_none(), "names are hashes, nothing else");
        let files = walk(dir.path());
        assert_eq!(files, 1);
    }

    fn walk(p: &std::path::Path) -> usize {
        std::fs::read_dir(p)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() { walk(&e.path()) } else { 1 }
            })
            .sum()
    }
}
