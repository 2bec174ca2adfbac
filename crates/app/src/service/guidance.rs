//! Focused guidance (督导): the city office sees which of its counties are flagged (unstable
//! situation, lagging campaign progress — `domain::guidance`), forms a multi-department guidance
//! group for one, records its one-on-one visit, and raises issues with the county government.
//! Issues are handovers (交办) tracked exactly like a covert check's problems: answered by the
//! county, accepted or returned by the city, escalating when overdue. Guidance supervises
//! governments: it records no inspection and counts toward no enterprise's annual cap.

use super::covert::ProblemView;
use super::{Actor, App, ServiceError, invalid};
use domain::access::{Permission, Principal};
use domain::guidance::{self, DEFAULT_MARGIN_BP, Figures, Flag, Targets};
use domain::page::{PageRequest, Paged};
pub use domain::period::Quarter;
use domain::region::RegionLevel;
use serde_json::json;
use store::covert::{NewProblem, ProblemFilter};
use store::guidance::{Group, Period};

/// One county on the city's guidance page.
#[derive(Debug, Clone)]
pub struct CountyStatus {
    /// Region code.
    pub code: String,
    /// Its figures.
    pub figures: Figures,
    /// Its control targets for the year.
    pub targets: Targets,
    /// The rules that fired.
    pub flags: Vec<Flag>,
}

/// The city's guidance page: its own figures and each county's, with flags.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The quarter looked at.
    pub quarter: Quarter,
    /// The margin used (basis points).
    pub margin_bp: i64,
    /// The city's figures (sums over its counties).
    pub city: Figures,
    /// Each county-level region of the city.
    pub counties: Vec<CountyStatus>,
}

/// One member of a guidance group.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Member {
    /// Department code (`public-security`, `housing`, `transport`, `emergency`, `fire`, …).
    pub department: String,
    /// Name.
    pub name: String,
    /// Unit and post.
    #[serde(default)]
    pub unit: String,
}

/// Input for a new group.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct GroupInput {
    /// Title.
    pub name: String,
    /// The county guided.
    pub county: String,
    /// Members: at least one from each of public security, housing, transport, emergency
    /// management and fire rescue.
    pub members: Vec<Member>,
    /// Day of the one-on-one guidance visit (YYYY-MM-DD).
    pub visit_on: String,
}

/// A group with its members, the flags it was formed on, and its issues.
#[derive(Debug, Clone)]
pub struct GroupView {
    /// The stored group.
    pub group: Group,
    /// Members.
    pub members: Vec<Member>,
    /// Flags of the county when the group was formed.
    pub reasons: Vec<serde_json::Value>,
    /// Issues raised with the county government.
    pub issues: Vec<ProblemView>,
}

fn city_office(actor: &Actor) -> Result<&Principal, ServiceError> {
    match &actor.principal {
        Some(p)
            if p.can(Permission::ManageGuidance)
                && p.region_prefix.as_str().len() == RegionLevel::City.prefix_len() =>
        {
            Ok(p)
        }
        _ => Err(ServiceError::Forbidden),
    }
}

fn is_county_of(p: &Principal, code: &str) -> bool {
    crate::refdata::REGION_BY_CODE
        .get(code)
        .is_some_and(|r| r.parent.as_ref().is_some_and(|parent| parent.as_str() == p.region.as_str()))
}

impl App {
    /// The city's counties for `quarter` (default: the current one, to date) with their flags.
    pub async fn guidance_overview(&self, actor: &Actor, quarter: Option<Quarter>) -> Result<Overview, ServiceError> {
        let p = city_office(actor)?;
        let today = self.today();
        let quarter = quarter.unwrap_or_else(|| Quarter::of(today));
        let ms = |d: jiff::civil::Date| {
            d.in_tz("Asia/Shanghai").map(|z| z.timestamp().as_millisecond()).map_err(|e| ServiceError::Other(e.into()))
        };
        let year_from = jiff::civil::date(quarter.year, 1, 1);
        let period = Period {
            from: quarter.first_day().to_string(),
            to: quarter.last_day().to_string(),
            prev_from: quarter.prev().first_day().to_string(),
            year_from: year_from.to_string(),
            year_from_ms: ms(year_from)?,
            to_end_ms: ms(quarter.last_day().tomorrow().unwrap_or_default())?,
            today: today.to_string(),
        };
        let figures = store::guidance::county_figures(&self.db, &p.region_prefix, &period).await?;
        let targets = store::guidance::targets(&self.db, &p.region_prefix, quarter.year.into()).await?;
        let codes: Vec<String> = crate::refdata::REGIONS
            .iter()
            .filter(|r| r.parent.as_ref().is_some_and(|x| x.as_str() == p.region.as_str()))
            .map(|r| r.code.to_string())
            .collect();
        let mut city = Figures::default();
        for f in codes.iter().filter_map(|c| figures.get(c)) {
            city.accidents += f.accidents;
            city.deaths += f.deaths;
            city.prev_accidents += f.prev_accidents;
            city.prev_deaths += f.prev_deaths;
            city.major_found += f.major_found;
            city.major_rectified += f.major_rectified;
            city.major_overdue += f.major_overdue;
            city.enterprises += f.enterprises;
            city.inspected += f.inspected;
        }
        let counties = codes
            .into_iter()
            .map(|code| {
                let f = figures.get(&code).copied().unwrap_or_default();
                let t = targets.get(&code).copied().unwrap_or_default();
                CountyStatus { flags: guidance::assess(&f, &city, &t, DEFAULT_MARGIN_BP), code, figures: f, targets: t }
            })
            .collect();
        Ok(Overview { quarter, margin_bp: DEFAULT_MARGIN_BP, city, counties })
    }

    /// Sets a county's quarterly control targets for a year (city office).
    pub async fn set_control_target(
        &self,
        actor: &Actor,
        county: &str,
        year: i64,
        t: &Targets,
    ) -> Result<(), ServiceError> {
        let p = city_office(actor)?;
        if !is_county_of(p, county) {
            return Err(invalid("county", "is not a county of your city"));
        }
        if t.max_accidents.is_some_and(|v| v < 0) || t.max_deaths.is_some_and(|v| v < 0) {
            return Err(invalid("max_accidents", "cannot be negative"));
        }
        let mut tx = self.db.begin().await?;
        store::guidance::set_target(&mut tx, county, year, t, &p.username, self.now_ms()).await?;
        let detail =
            json!({"county": county, "year": year, "max_accidents": t.max_accidents, "max_deaths": t.max_deaths});
        self.audit(&mut tx, actor, None, "guidance.target", ("control_target", county), "ok", detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forms a guidance group for a county; refuses a group without a member from each required
    /// department. The county's flags at this moment are kept as the reasons.
    pub async fn form_guidance_group(&self, actor: &Actor, input: &GroupInput) -> Result<GroupView, ServiceError> {
        let p = city_office(actor)?;
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(invalid("name", "give a title of 1-200 characters"));
        }
        if !is_county_of(p, &input.county) {
            return Err(invalid("county", "is not a county of your city"));
        }
        let mut members = Vec::new();
        for m in &input.members {
            let (dept, person) = (m.department.trim(), m.name.trim());
            if dept.is_empty() && person.is_empty() {
                continue;
            }
            if !crate::refdata::DEPARTMENTS.iter().any(|d| d.code == dept) {
                return Err(invalid("members", format!("'{dept}' is not a department")));
            }
            if person.is_empty() || person.chars().count() > 100 {
                return Err(invalid("members", "every member needs a name (at most 100 characters)"));
            }
            members.push(Member {
                department: dept.to_owned(),
                name: person.to_owned(),
                unit: m.unit.trim().chars().take(200).collect(),
            });
        }
        let missing = guidance::missing_departments(members.iter().map(|m| m.department.as_str()));
        if !missing.is_empty() {
            return Err(invalid("members", format!("the group has nobody from: {}", missing.join(", "))));
        }
        let visit_on: jiff::civil::Date =
            input.visit_on.trim().parse().map_err(|_| invalid("visit_on", "use YYYY-MM-DD"))?;
        let overview = self.guidance_overview(actor, None).await?;
        let reasons: Vec<&Flag> =
            overview.counties.iter().filter(|c| c.code == input.county).flat_map(|c| &c.flags).collect();
        let new = Group {
            id: String::new(),
            group_no: String::new(),
            region_code: p.region.to_string(),
            name: name.to_owned(),
            county: input.county.clone(),
            members: serde_json::to_string(&members).unwrap_or_default(),
            reasons: serde_json::to_string(&reasons).unwrap_or_default(),
            visit_on: visit_on.to_string(),
            visited_at: None,
            summary: None,
            status: "planned".into(),
            version: 1,
            created_by: p.username.clone(),
            created_at: 0,
        };
        let mut tx = self.db.begin().await?;
        let g = store::guidance::create(&mut tx, &new, self.today().year(), self.now_ms()).await?;
        let detail = json!({"group_no": g.group_no, "county": g.county, "members": members.len()});
        self.audit(&mut tx, actor, None, "guidance.form", ("guidance_group", &g.group_no), "ok", detail).await?;
        tx.commit().await?;
        self.get_guidance_group(p, &g.id).await
    }

    /// Groups the caller may see (its city's, or those sent to its county).
    pub async fn list_guidance_groups(&self, p: &Principal, page: PageRequest) -> Result<Paged<Group>, ServiceError> {
        if !p.can(Permission::ViewCampaigns) {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::guidance::list(&self.db, &p.scope(), page).await?)
    }

    /// One group with its members, reasons and issues.
    pub async fn get_guidance_group(&self, p: &Principal, id: &str) -> Result<GroupView, ServiceError> {
        if !p.can(Permission::ViewCampaigns) {
            return Err(ServiceError::NotFound);
        }
        let group = store::guidance::get(&self.db, &p.scope(), id).await?;
        let filter = ProblemFilter { plan_id: Some(group.id.clone()), ..Default::default() };
        let issues = self.list_covert_problems(p, &filter, PageRequest::new(None, Some(200))).await?.items;
        Ok(GroupView {
            members: serde_json::from_str(&group.members).unwrap_or_default(),
            reasons: serde_json::from_str(&group.reasons).unwrap_or_default(),
            issues,
            group,
        })
    }

    /// Records the one-on-one guidance visit.
    pub async fn record_guidance_visit(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
        visited_at: &str,
        summary: &str,
    ) -> Result<GroupView, ServiceError> {
        let p = city_office(actor)?;
        let g = store::guidance::get(&self.db, &p.scope(), id).await?;
        if g.status != "planned" {
            return Err(ServiceError::Conflict("the visit is already recorded".into()));
        }
        let visited_at = visited_at.trim();
        if jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M", visited_at).is_err() {
            return Err(invalid("visited_at", "use YYYY-MM-DDTHH:MM"));
        }
        let summary = summary.trim();
        if summary.is_empty() || summary.chars().count() > 5000 {
            return Err(invalid("summary", "say what the group found and told the county (1-5000 characters)"));
        }
        let mut tx = self.db.begin().await?;
        store::guidance::record_visit(&mut tx, &g, version, visited_at, summary).await?;
        self.audit(
            &mut tx,
            actor,
            None,
            "guidance.visit",
            ("guidance_group", &g.group_no),
            "ok",
            json!({"county": g.county}),
        )
        .await?;
        tx.commit().await?;
        self.get_guidance_group(p, id).await
    }

    /// Raises an issue with the county government after the visit: a handover with a deadline.
    pub async fn raise_guidance_issue(
        &self,
        actor: &Actor,
        id: &str,
        description: &str,
        deadline: &str,
    ) -> Result<ProblemView, ServiceError> {
        let p = city_office(actor)?;
        let g = store::guidance::get(&self.db, &p.scope(), id).await?;
        if g.status != "visited" {
            return Err(ServiceError::Conflict("record the guidance visit before its issues".into()));
        }
        let description = description.trim();
        if description.is_empty() || description.chars().count() > 2000 {
            return Err(invalid("description", "describe the issue (1-2000 characters)"));
        }
        let deadline: jiff::civil::Date = deadline.trim().parse().map_err(|_| invalid("deadline", "use YYYY-MM-DD"))?;
        if deadline < self.today() {
            return Err(invalid("deadline", "is in the past"));
        }
        let new = NewProblem {
            region_code: g.county.clone(),
            plan_id: g.id.clone(),
            plan_region: g.region_code.clone(),
            description: description.to_owned(),
            enterprise: None,
            hazard_id: None,
            handover: Some((None, deadline.to_string())),
            created_by: p.username.clone(),
            kind: "guidance",
        };
        let mut tx = self.db.begin().await?;
        let issue = store::covert::add_problem(&mut tx, &new, self.today().year(), self.now_ms()).await?;
        let detail = json!({"group_no": g.group_no, "county": g.county, "deadline": deadline.to_string()});
        self.audit(&mut tx, actor, None, "guidance.issue", ("covert_problem", &issue.problem_no), "ok", detail).await?;
        tx.commit().await?;
        Ok(self.get_covert_problem(p, &issue.id).await?.0)
    }
}
