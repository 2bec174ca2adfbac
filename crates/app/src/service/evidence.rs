//! Evidence: upload (checked by content, at most 10 MB, stored once by SM3, the SM3 in the
//! audit entry), attach to a hazard (a timeline step), and download by those who may see a
//! hazard it is attached to.

use super::{Actor, App, ServiceError, invalid};
use crate::evidence_files;
use domain::access::{Permission, Principal};
use domain::evidence::{MAX_BYTES, sniff};
use serde_json::json;
use store::evidence::Evidence;
use store::hazard::NewEvent;

impl App {
    /// Stores an uploaded file and records it in the uploader's region.
    pub async fn upload_evidence(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<Evidence, ServiceError> {
        let p = actor.principal.as_ref().ok_or(ServiceError::Forbidden)?;
        if !p.can(Permission::ViewHazards) {
            return Err(ServiceError::Forbidden);
        }
        if bytes.len() > MAX_BYTES {
            return Err(invalid(
                "file",
                format!("is {} bytes; evidence files may be at most {MAX_BYTES} bytes (10 MB)", bytes.len()),
            ));
        }
        let kind = sniff(bytes)
            .ok_or_else(|| invalid("file", "only JPEG, PNG or PDF files are accepted (checked by content)"))?;
        let sm3 = evidence_files::put(&self.evidence_dir, bytes)
            .map_err(|e| ServiceError::Other(anyhow::anyhow!("storing evidence: {e}")))?;
        let e =
            Evidence { sm3: sm3.clone(), content_type: kind.content_type().to_owned(), size_bytes: bytes.len() as i64 };
        let name: String = file_name.chars().filter(|c| !c.is_control()).take(200).collect();
        let mut tx = self.db.begin().await?;
        store::evidence::record(&mut tx, p.region.as_str(), &e, &name, &p.username, self.now_ms()).await?;
        let detail = json!({"sm3": sm3, "content_type": e.content_type, "size": e.size_bytes, "file_name": name});
        self.audit(&mut tx, actor, None, "evidence.upload", ("evidence", &sm3), "ok", detail).await?;
        tx.commit().await?;
        Ok(e)
    }

    /// Checks that every hash names an uploaded file.
    pub(crate) async fn check_evidence(&self, tx: &mut store::Tx, sm3s: &[String]) -> Result<(), ServiceError> {
        for sm3 in sm3s {
            if !store::evidence::known(tx, sm3).await? {
                return Err(invalid("evidence", format!("{sm3} is not an uploaded file")));
            }
        }
        Ok(())
    }

    /// Attaches uploaded files to a hazard as a step of its timeline (the status stays).
    pub async fn attach_evidence(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
        sm3s: &[String],
        note: &str,
    ) -> Result<(), ServiceError> {
        let p = actor.principal.as_ref().ok_or(ServiceError::Forbidden)?;
        let h = store::hazard::get(&self.db, &p.scope(), id).await?;
        if !(p.can(Permission::ReportHazard) || p.role == domain::access::Role::Enterprise) {
            return Err(ServiceError::Forbidden);
        }
        if sm3s.is_empty() {
            return Err(invalid("evidence", "attach at least one file"));
        }
        let mut tx = self.db.begin().await?;
        self.check_evidence(&mut tx, sm3s).await?;
        let evidence = serde_json::to_string(sm3s).unwrap_or_default();
        let note: String = note.trim().chars().take(2000).collect();
        let event = NewEvent {
            actor: &p.username,
            role: p.role.as_str(),
            action: "attach_evidence",
            from: Some(h.status),
            to: h.status,
            note: &note,
            evidence: &evidence,
        };
        store::hazard::apply(&mut tx, &h, version, &event, None, self.now_ms()).await?;
        store::evidence::attach(&mut tx, &h.region_code, &h.id, sm3s, self.now_ms()).await?;
        self.audit(
            &mut tx,
            actor,
            Some(&h.region_code),
            "hazard.attach_evidence",
            ("hazard", &h.hazard_no),
            "ok",
            json!({"sm3": sm3s}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A file the caller may see, with its bytes.
    pub async fn download_evidence(&self, p: &Principal, sm3: &str) -> Result<(Evidence, Vec<u8>), ServiceError> {
        if !p.can(Permission::ViewHazards) {
            return Err(ServiceError::Forbidden);
        }
        let e =
            store::evidence::visible(&self.db, &p.scope(), &p.username, sm3).await?.ok_or(ServiceError::NotFound)?;
        let bytes = evidence_files::get(&self.evidence_dir, &e.sm3).ok_or(ServiceError::NotFound)?;
        Ok((e, bytes))
    }
}
