//! Account administration: the system administrator creates accounts and resets passwords
//! (always to a one-time password the user must change); the security administrator
//! unlocks accounts and ends sessions. Neither sees business data.

use super::auth::{hash_password, one_time_password};
use super::{Actor, App, ServiceError, invalid};
use domain::access::{Permission, Principal, Role};
use serde_json::json;
use store::user::{NewUser, User};

/// Input for a new account.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NewAccount {
    /// Login name: 3-32 of `a-z 0-9 _ . -`.
    pub username: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// One of the role names (`county_office`, …).
    pub role: String,
    /// Region code of the account's jurisdiction.
    pub region_code: String,
    /// For enterprise accounts: the enterprise's credit code.
    #[serde(default)]
    pub enterprise_credit_code: Option<String>,
    /// For department regulators (required for them, refused for other roles): the department
    /// code (`emergency`, `housing`, …); the account then sees the enterprises, hazards,
    /// inspections and penalties of that department's sectors only.
    #[serde(default)]
    pub department: Option<String>,
}

fn require(p: &Principal, perm: Permission) -> Result<(), ServiceError> {
    if p.can(perm) { Ok(()) } else { Err(ServiceError::Forbidden) }
}

fn valid_username(u: &str) -> bool {
    (3..=32).contains(&u.len())
        && u.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b))
}

impl App {
    /// Every account (system and security administrators only).
    pub async fn list_users(&self, p: &Principal) -> Result<Vec<User>, ServiceError> {
        if !(p.can(Permission::ManageUsers) || p.can(Permission::ManageSecurity)) {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::user::list(&self.db).await?)
    }

    /// Creates an account with a one-time password, returned once for handing over.
    pub async fn create_user(&self, actor: &Actor, input: &NewAccount) -> Result<(String, String), ServiceError> {
        if let Some(p) = &actor.principal {
            require(p, Permission::ManageUsers)?;
        }
        let username = input.username.trim().to_owned();
        if !valid_username(&username) {
            return Err(invalid("username", "use 3-32 lower-case letters, digits, '_', '.' or '-'"));
        }
        let role = Role::parse(&input.role).ok_or_else(|| invalid("role", "is not a role"))?;
        let regions = store::reference::regions(&self.db).await?;
        if !regions.iter().any(|r| r.code.as_str() == input.region_code) {
            return Err(invalid("region_code", "is not in the region register"));
        }
        let enterprise_id = match (role, input.enterprise_credit_code.as_deref().filter(|c| !c.trim().is_empty())) {
            (Role::Enterprise, Some(code)) => Some(self.enterprise_id_by_code(code, &input.region_code).await?),
            (Role::Enterprise, None) => {
                return Err(invalid("enterprise_credit_code", "is required for an enterprise account"));
            }
            _ => None,
        };
        let department = self.department_of(role, input.department.as_deref()).await?;
        let password = one_time_password();
        let new = NewUser {
            username,
            display_name: input.display_name.trim().chars().take(100).collect(),
            role,
            region_code: input.region_code.clone(),
            enterprise_id,
            department,
            password_hash: hash_password(&password).await?,
            must_change_password: true,
        };
        let mut tx = self.db.begin().await?;
        let id = store::user::create(&mut tx, &new, self.now_ms()).await.map_err(|e| match e {
            store::StoreError::Duplicate(_) => invalid("username", "is taken"),
            other => other.into(),
        })?;
        let detail = json!({"username": new.username, "role": role.as_str(), "region": new.region_code,
            "department": new.department});
        self.audit(&mut tx, actor, None, "user.create", ("user", &id), "ok", detail).await?;
        tx.commit().await?;
        Ok((id, password))
    }

    /// The department a new account of `role` is narrowed to: required for a department
    /// regulator (what it sees depends on it), refused for every other role.
    async fn department_of(&self, role: Role, code: Option<&str>) -> Result<Option<String>, ServiceError> {
        let code = code.map(str::trim).filter(|c| !c.is_empty());
        match (role, code) {
            (Role::Department, Some(code)) => {
                let known = store::reference::departments(&self.db).await?;
                if known.iter().any(|d| d.code == code) {
                    Ok(Some(code.to_owned()))
                } else {
                    Err(invalid("department", "is not in the department register"))
                }
            }
            (Role::Department, None) => Err(invalid("department", "is required for a department regulator")),
            (_, Some(_)) => Err(invalid("department", "is only for department regulator accounts")),
            (_, None) => Ok(None),
        }
    }

    async fn enterprise_id_by_code(&self, code: &str, region: &str) -> Result<String, ServiceError> {
        let code = domain::credit_code::CreditCode::parse(code)
            .map_err(|e| invalid("enterprise_credit_code", e.to_string()))?;
        let filter = store::enterprise::EnterpriseFilter { q: Some(code.as_str().to_owned()), ..Default::default() };
        let region = domain::region::RegionCode::parse(region).map_err(|e| invalid("region_code", e.to_string()))?;
        let scope = domain::access::Scope::Region(domain::region::RegionPrefix::of(
            &region,
            domain::region::RegionLevel::County,
        ));
        let page =
            store::enterprise::list(&self.db, &scope, &filter, domain::page::PageRequest::new(None, Some(1))).await?;
        page.items
            .into_iter()
            .next()
            .map(|e| e.id)
            .ok_or_else(|| invalid("enterprise_credit_code", "no such enterprise in that region"))
    }

    /// Unlocks an account and clears its failure count (security administrator).
    pub async fn unlock_user(&self, actor: &Actor, user_id: &str) -> Result<(), ServiceError> {
        if let Some(p) = &actor.principal {
            require(p, Permission::ManageSecurity)?;
        }
        let user = store::user::by_id(&self.db, user_id).await?;
        let mut tx = self.db.begin().await?;
        store::user::clear_failures(&mut tx, &user.id).await?;
        self.audit(&mut tx, actor, None, "user.unlock", ("user", &user.id), "ok", json!({"username": user.username}))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session of an account (security administrator): a stolen token or a device
    /// left logged in stops working at once. Returns how many sessions were ended.
    pub async fn end_sessions(&self, actor: &Actor, user_id: &str) -> Result<u64, ServiceError> {
        if let Some(p) = &actor.principal {
            require(p, Permission::ManageSecurity)?;
        }
        let user = store::user::by_id(&self.db, user_id).await?;
        let mut tx = self.db.begin().await?;
        let n = store::user::end_all_sessions(&mut tx, &user.id, self.now_ms()).await?;
        let detail = json!({"username": user.username, "sessions": n});
        self.audit(&mut tx, actor, None, "user.end_sessions", ("user", &user.id), "ok", detail).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Resets a password to a new one-time password and ends the account's sessions (system
    /// administrator). Returns the one-time password.
    pub async fn reset_password(&self, actor: &Actor, user_id: &str) -> Result<String, ServiceError> {
        if let Some(p) = &actor.principal {
            require(p, Permission::ManageUsers)?;
        }
        let user = store::user::by_id(&self.db, user_id).await?;
        let password = one_time_password();
        let hash = hash_password(&password).await?;
        let now = self.now_ms();
        let mut tx = self.db.begin().await?;
        store::user::set_password(&mut tx, &user.id, &hash, true, now).await?;
        store::user::end_all_sessions(&mut tx, &user.id, now).await?;
        self.audit(
            &mut tx,
            actor,
            None,
            "user.reset_password",
            ("user", &user.id),
            "ok",
            json!({"username": user.username}),
        )
        .await?;
        tx.commit().await?;
        Ok(password)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn usernames_are_simple_lower_case_names() {
        assert!(super::valid_username("huoqiu"));
        assert!(super::valid_username("inspector.1"));
        assert!(!super::valid_username("Huoqiu"));
        assert!(!super::valid_username("ab"));
        assert!(!super::valid_username("a b c"));
    }
}
