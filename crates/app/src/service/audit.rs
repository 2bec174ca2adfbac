//! Reading and verifying the audit trail (audit administrator, or the CLI operator).

use super::{Actor, App, ServiceError};
use domain::access::Permission;
use domain::audit::AuditEntry;
use domain::page::{PageRequest, Paged};
use serde_json::json;
use store::audit::{AuditFilter, VerifyReport};

impl App {
    /// Verifies every chain; the verification itself is audited.
    pub async fn verify_audit(&self, actor: &Actor) -> Result<VerifyReport, ServiceError> {
        if let Some(p) = &actor.principal
            && !p.can(Permission::ViewAudit)
        {
            return Err(ServiceError::Forbidden);
        }
        let report = store::audit::verify(&self.db).await?;
        let result = if report.first_break.is_none() { "ok" } else { "failed" };
        let detail = json!({"chains": report.chains, "entries": report.entries,
            "first_break": report.first_break.as_ref().map(|b| b.to_string())});
        self.audit_alone(actor, "audit.verify", ("audit", "all"), result, detail).await?;
        Ok(report)
    }

    /// A page of the trail.
    pub async fn list_audit(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Paged<AuditEntry>, ServiceError> {
        if let Some(p) = &actor.principal
            && !p.can(Permission::ViewAudit)
        {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::audit::list(&self.db, filter, page).await?)
    }
}
