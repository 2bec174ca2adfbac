//! Roles, jurisdictions and permissions: who may do what, where.
//!
//! Deny by default: [`Role::can`] lists every permission each role has and nothing else;
//! [`Principal::scope`] says which records a user may see at all. A record outside the
//! scope must look like a record that does not exist (404), never like a forbidden one.

use crate::region::{RegionCode, RegionPrefix};

/// The roles of BRIEF §1. The three administrator roles are separate (三权分立): an account
/// holds exactly one role, so no account can hold two of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Province evaluator: sees all cities' figures; runs and publishes evaluations.
    ProvinceEvaluator,
    /// City Safety Commission Office (安委办).
    CityOffice,
    /// County office / emergency management bureau.
    CountyOffice,
    /// A department regulator (public security, housing, …) in a region.
    Department,
    /// A law-enforcement officer.
    Inspector,
    /// An enterprise's safety manager: sees one enterprise.
    Enterprise,
    /// System administrator: accounts only, no business data.
    SysAdmin,
    /// Security administrator: unlocks accounts, ends sessions.
    SecurityAdmin,
    /// Audit administrator: reads and verifies the audit trail.
    AuditAdmin,
}

/// Every role, for matrices and forms.
pub const ALL_ROLES: [Role; 9] = [
    Role::ProvinceEvaluator,
    Role::CityOffice,
    Role::CountyOffice,
    Role::Department,
    Role::Inspector,
    Role::Enterprise,
    Role::SysAdmin,
    Role::SecurityAdmin,
    Role::AuditAdmin,
];

/// Something a user may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Browse enterprises of the jurisdiction (an enterprise account: its own only).
    ViewEnterprises,
    /// Browse officers of the jurisdiction.
    ViewOfficers,
    /// Import or update enterprises and officers of the jurisdiction.
    ImportRegisters,
    /// See spot-check plans and their draws.
    ViewPlans,
    /// Create, commit and draw spot-check plans; declare conflicts of interest.
    ManagePlans,
    /// See hazards of the jurisdiction (an enterprise account: its own).
    ViewHazards,
    /// Record a hazard found at an enterprise.
    ReportHazard,
    /// See special actions and their progress.
    ViewCampaigns,
    /// Run special actions (a city office).
    ManageCampaigns,
    /// File and conduct administrative penalty cases (county and city offices).
    ManagePenalties,
    /// Record an inspection of an enterprise.
    RecordInspection,
    /// Record accidents (county and city offices).
    RecordAccident,
    /// See covert plans that are visible to the caller (sealed ones only to their planning
    /// team and the city leadership; done ones to the regions concerned), their problems and
    /// handovers.
    ViewCovert,
    /// Plan covert checks and act on their results: the city office (its director and deputies).
    PlanCovert,
    /// Answer a handover addressed to the caller's region (county governments and departments).
    AnswerHandover,
    /// Organise cross-inspection rounds among the counties (a city office).
    ManageRounds,
    /// See which counties are flagged and form guidance groups (a city office).
    ManageGuidance,
    /// Run and publish the quarterly evaluation of one's sub-regions (the province evaluator
    /// ranks cities; a city office its counties).
    Evaluate,
    /// Create accounts and reset passwords.
    ManageUsers,
    /// Unlock accounts and end sessions.
    ManageSecurity,
    /// Read and verify the audit trail.
    ViewAudit,
}

impl Role {
    /// The stored name of the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProvinceEvaluator => "province_evaluator",
            Self::CityOffice => "city_office",
            Self::CountyOffice => "county_office",
            Self::Department => "department",
            Self::Inspector => "inspector",
            Self::Enterprise => "enterprise",
            Self::SysAdmin => "sys_admin",
            Self::SecurityAdmin => "security_admin",
            Self::AuditAdmin => "audit_admin",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        ALL_ROLES.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the role grants a permission. The whole policy is this one table.
    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match permission {
            ViewEnterprises => {
                matches!(self, ProvinceEvaluator | CityOffice | CountyOffice | Department | Inspector | Enterprise)
            }
            ViewOfficers => matches!(self, ProvinceEvaluator | CityOffice | CountyOffice | Department | Inspector),
            ImportRegisters => matches!(self, CityOffice | CountyOffice),
            ViewPlans => matches!(self, ProvinceEvaluator | CityOffice | CountyOffice | Department | Inspector),
            ManagePlans => matches!(self, CityOffice | CountyOffice),
            ViewHazards => {
                matches!(self, ProvinceEvaluator | CityOffice | CountyOffice | Department | Inspector | Enterprise)
            }
            ReportHazard => matches!(self, CityOffice | CountyOffice | Department | Inspector),
            ViewCampaigns => matches!(self, ProvinceEvaluator | CityOffice | CountyOffice | Department | Inspector),
            ManageCampaigns => self == CityOffice,
            RecordAccident => matches!(self, CityOffice | CountyOffice),
            RecordInspection => matches!(self, CityOffice | CountyOffice | Department | Inspector),
            ManagePenalties => matches!(self, CityOffice | CountyOffice),
            ViewCovert => matches!(self, ProvinceEvaluator | CityOffice | CountyOffice | Department | Inspector),
            PlanCovert => self == CityOffice,
            AnswerHandover => matches!(self, CountyOffice | Department),
            ManageRounds => self == CityOffice,
            ManageGuidance => self == CityOffice,
            Evaluate => matches!(self, ProvinceEvaluator | CityOffice),
            ManageUsers => self == SysAdmin,
            ManageSecurity => self == SecurityAdmin,
            ViewAudit => self == AuditAdmin,
        }
    }

    /// Whether the role may take a step in a hazard's life. Enterprises start and submit the
    /// rectification of their own hazards; offices and inspectors verify on site; only the
    /// offices assign and close out.
    pub fn may(self, action: crate::hazard::Action) -> bool {
        use crate::hazard::Action as A;
        use Role::*;
        match action {
            A::Assign | A::Close => matches!(self, CityOffice | CountyOffice),
            A::StartRectifying | A::SubmitRectification => {
                matches!(self, Enterprise | CityOffice | CountyOffice | Inspector)
            }
            A::Verify | A::Reject => matches!(self, CityOffice | CountyOffice | Inspector),
        }
    }

    /// Whether the role is one of the three administrator roles, which see no business data.
    pub fn is_admin(self) -> bool {
        matches!(self, Self::SysAdmin | Self::SecurityAdmin | Self::AuditAdmin)
    }
}

/// The records a principal may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Records whose region code lies in the prefix.
    Region(RegionPrefix),
    /// A department regulator's view: region-level records (plans, campaigns, rounds, figures)
    /// whose region code lies in the prefix, and records about an enterprise only where the
    /// enterprise's sector belongs to the department (`sector.department` in the register).
    Department(RegionPrefix, String),
    /// Only the records of one enterprise (by id).
    Enterprise(String),
    /// No business records at all (administrators).
    Nothing,
}

/// An authenticated user, as the rest of the system sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Account id.
    pub user_id: String,
    /// Login name.
    pub username: String,
    /// The account's single role.
    pub role: Role,
    /// The region the account belongs to (also the audit chain its actions go to).
    pub region: RegionCode,
    /// The jurisdiction prefix of that region.
    pub region_prefix: RegionPrefix,
    /// For an enterprise account, the enterprise id.
    pub enterprise_id: Option<String>,
    /// For a department regulator, the department code (`data/departments.csv`).
    pub department: Option<String>,
}

impl Scope {
    /// The jurisdiction prefix of a region-wide scope (a department's included): the regions
    /// whose region-level records the caller sees, for region pickers and region-level lists.
    pub fn region_prefix(&self) -> Option<&RegionPrefix> {
        match self {
            Self::Region(p) | Self::Department(p, _) => Some(p),
            Self::Enterprise(_) | Self::Nothing => None,
        }
    }
}

impl Principal {
    /// The business records this principal may see.
    pub fn scope(&self) -> Scope {
        if self.role.is_admin() {
            return Scope::Nothing;
        }
        match (&self.role, &self.enterprise_id, &self.department) {
            (Role::Enterprise, Some(id), _) => Scope::Enterprise(id.clone()),
            (Role::Department, _, Some(dept)) => Scope::Department(self.region_prefix.clone(), dept.clone()),
            // Deny by default: an account without the enterprise or department its role needs
            // sees nothing (accounts created before departments were recorded, for instance).
            (Role::Enterprise | Role::Department, _, _) => Scope::Nothing,
            _ => Scope::Region(self.region_prefix.clone()),
        }
    }

    /// Whether the principal has a permission.
    pub fn can(&self, permission: Permission) -> bool {
        self.role.can(permission)
    }

    /// Whether the principal may answer a handover (交办) to `region_code`, addressed to
    /// `department` (`None`: the county government). A county office answers for its county;
    /// a department regulator only for its own department.
    pub fn answers_handover(&self, region_code: &str, department: Option<&str>) -> bool {
        self.can(Permission::AnswerHandover)
            && self.governs(region_code)
            && (self.role != Role::Department || (department.is_some() && department == self.department.as_deref()))
    }

    /// Whether a region code lies in the principal's jurisdiction (for writes such as imports).
    pub fn governs(&self, region_code: &str) -> bool {
        self.scope().region_prefix().is_some_and(|p| p.contains(region_code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::RegionLevel;

    fn principal(role: Role, code: &str, level: RegionLevel) -> Principal {
        let region = RegionCode::parse(code).unwrap();
        Principal {
            user_id: "u".into(),
            username: "u".into(),
            role,
            region_prefix: RegionPrefix::of(&region, level),
            region,
            enterprise_id: None,
            department: None,
        }
    }

    #[test]
    fn administrators_see_no_business_data_and_hold_only_their_own_power() {
        for role in [Role::SysAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            let p = principal(role, "340000", RegionLevel::Province);
            assert_eq!(p.scope(), Scope::Nothing);
            assert!(!p.can(Permission::ViewEnterprises));
            assert!(!p.can(Permission::ViewOfficers));
            let powers = [Permission::ManageUsers, Permission::ManageSecurity, Permission::ViewAudit]
                .into_iter()
                .filter(|&perm| role.can(perm))
                .count();
            assert_eq!(powers, 1, "{role:?} must hold exactly one administrative power");
        }
    }

    #[test]
    fn a_county_office_governs_its_county_only() {
        let p = principal(Role::CountyOffice, "341522", RegionLevel::County);
        assert!(p.governs("341522"));
        assert!(!p.governs("341524"));
    }

    #[test]
    fn an_enterprise_account_without_an_enterprise_sees_nothing() {
        let p = principal(Role::Enterprise, "341522", RegionLevel::County);
        assert_eq!(p.scope(), Scope::Nothing);
    }

    #[test]
    fn a_department_regulator_is_narrowed_to_its_department_and_needs_one() {
        let mut p = principal(Role::Department, "341522", RegionLevel::County);
        assert_eq!(p.scope(), Scope::Nothing, "no department recorded: nothing");
        assert!(!p.governs("341522"));
        p.department = Some("housing".into());
        let prefix = RegionPrefix::of(&RegionCode::parse("341522").unwrap(), RegionLevel::County);
        assert_eq!(p.scope(), Scope::Department(prefix, "housing".into()));
        assert!(p.governs("341522"));
        assert!(!p.governs("341524"));
    }

    #[test]
    fn a_regulator_answers_the_handovers_to_its_department_only() {
        let mut p = principal(Role::Department, "341522", RegionLevel::County);
        p.department = Some("housing".into());
        assert!(p.answers_handover("341522", Some("housing")));
        assert!(!p.answers_handover("341522", Some("fire")));
        assert!(!p.answers_handover("341522", None), "the county government's are the county office's");
        assert!(!p.answers_handover("341524", Some("housing")));
        let county = principal(Role::CountyOffice, "341522", RegionLevel::County);
        assert!(county.answers_handover("341522", None) && county.answers_handover("341522", Some("fire")));
    }

    #[test]
    fn role_names_round_trip() {
        for role in ALL_ROLES {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }
}
