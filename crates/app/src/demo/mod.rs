//! Demo data (clearly synthetic): the registers of Anhui with Lu'an in detail, and the demo
//! accounts of BRIEF §11, all with the password `demo-password`.
//!
//! Deterministic: the same data every time, generated from a fixed seed, and written
//! through the same service code as a real import, so the demo exercises the real paths.
//! Loading is idempotent: running it again changes nothing.

use crate::import::Limits;
use crate::service::auth::hash_password;
use crate::service::registers::ImportOptions;
use crate::service::{Actor, App};
use domain::access::Role;
use domain::credit_code::CreditCode;
use domain::register_row::RegisterKind;
use serde_json::json;
use store::user::NewUser;

pub mod scenario;
mod script;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-password";

/// Lu'an's county-level divisions, where the demo is detailed.
pub const LUAN_COUNTIES: [&str; 7] = ["341502", "341503", "341504", "341522", "341523", "341524", "341525"];

const WORDS: [&str; 12] =
    ["宏达", "鑫源", "华泰", "恒安", "金山", "振兴", "永固", "天成", "绿洲", "盛世", "安达", "明珠"];
const TRADES: [(&str, &str); 8] = [
    ("化工", "chemicals"),
    ("建材", "building-materials"),
    ("机械", "machinery"),
    ("矿业", "non-coal-mining"),
    ("纺织", "textiles"),
    ("燃气", "urban-gas"),
    ("运输", "road-transport"),
    ("商贸", "commerce-trade"),
];

/// A small deterministic generator (SplitMix64): the demo must not depend on a library's
/// random algorithms staying the same.
pub(crate) struct SplitMix(pub(crate) u64);

impl SplitMix {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A synthetic but valid credit code for the `n`-th demo enterprise of a region.
pub fn demo_credit_code(region: &str, n: u32) -> CreditCode {
    const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut tail = [b'0'; 7];
    let mut v = n;
    for slot in tail.iter_mut().rev() {
        *slot = CHARSET[(v % 31) as usize];
        v /= 31;
    }
    let first17 = format!("91{region}MA{}", std::str::from_utf8(&tail).expect("ascii"));
    CreditCode::with_check(&first17).expect("demo codes are built from the charset")
}

/// How big a demo register is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// A few hundred enterprises per Lu'an county: quick to load (tests, `load`).
    Small,
    /// The reference scenario's register: 4,200 enterprises in each Lu'an county, 800 in one
    /// county of every other city, officers everywhere there are enterprises, and the city's
    /// rule of at most one random spot check per enterprise and year.
    Reference,
}

/// The counties with enterprises in a demo register, with how many each has.
pub fn register_counties(regions: &[domain::region::Region], size: Size) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for r in regions.iter().filter(|r| r.level == domain::region::RegionLevel::County) {
        let code = r.code.to_string();
        let city = r.parent.as_ref().map(|p| p.to_string()).unwrap_or_default();
        let count = match (size, LUAN_COUNTIES.contains(&code.as_str())) {
            (Size::Small, true) => 300,
            (Size::Small, false) if code.ends_with("02") => 40,
            (Size::Reference, true) => 4_200,
            (Size::Reference, false) if !out.iter().any(|(c, _)| c[..4] == city[..4]) => 800,
            _ => 0,
        };
        if count > 0 {
            out.push((code, count));
        }
    }
    out
}

/// The demo enterprise register as CSV (Chinese headers, as an office would send it). Each
/// county's rows come from its own seed, so a bigger register starts with the same rows.
pub fn enterprises_csv(regions: &[domain::region::Region], size: Size) -> String {
    let mut out = String::from("统一社会信用代码,单位名称,行政区划代码,行业,风险等级,标准化等级,地址,年度检查上限\n");
    let names: std::collections::HashMap<String, String> =
        regions.iter().map(|r| (r.code.to_string(), r.name_zh.clone())).collect();
    for (code, count) in register_counties(regions, size) {
        let mut rng = SplitMix(2023 ^ code.parse::<u64>().unwrap_or_default());
        let name = &names[&code];
        let cap = if size == Size::Reference { "1" } else { "" };
        for n in 0..count {
            let (trade, sector) = TRADES[rng.below(TRADES.len() as u64) as usize];
            let word = WORDS[rng.below(WORDS.len() as u64) as usize];
            let risk = match rng.below(100) {
                0..=4 => "重大",
                5..=19 => "较大",
                20..=59 => "一般",
                _ => "低",
            };
            let grade = ["", "一级", "二级", "三级"][rng.below(4) as usize];
            let place = name.trim_end_matches(['县', '区', '市']);
            out.push_str(&format!(
                "{},{place}{word}{trade}有限公司（第{}号）,{code},{sector},{risk},{grade},{name}某路{}号,{cap}\n",
                demo_credit_code(&code, n),
                n + 1,
                n + 1
            ));
        }
    }
    out
}

/// The demo officer register as CSV: 20 officers per Lu'an county (10 in the other counties
/// of a reference register), a few with expired certificates (they must never be drawn).
pub fn officers_csv(regions: &[domain::region::Region], size: Size) -> String {
    const SURNAMES: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴"];
    const GIVEN: [&str; 10] = ["伟", "芳", "军", "敏", "强", "静", "磊", "洋", "勇", "艳"];
    let mut out = String::from("badge_no,name,unit,department,region_code,cert_valid_until,status\n");
    let counties: Vec<String> = match size {
        Size::Small => LUAN_COUNTIES.iter().map(|c| (*c).to_owned()).collect(),
        Size::Reference => register_counties(regions, size).into_iter().map(|(c, _)| c).collect(),
    };
    for county in counties {
        let officers = if LUAN_COUNTIES.contains(&county.as_str()) { 20 } else { 10 };
        for i in 1..=officers {
            let dept = ["emergency", "emergency", "emergency", "fire", "housing", "transport", "public-security"]
                [(i % 7) as usize];
            let valid = if i % 10 == 0 { "2022-12-31" } else { "2027-12-31" };
            let name = format!("{}{}", SURNAMES[(i as usize * 7 + county.len()) % 10], GIVEN[(i as usize * 3) % 10]);
            out.push_str(&format!("AH{county}{i:03},{name},{county}执法大队,{dept},{county},{valid},active\n"));
        }
    }
    out
}

/// Loads the small demo registers and the demo accounts. Returns false if they were already
/// there.
pub async fn load(app: &App) -> anyhow::Result<bool> {
    load_registers(app, Size::Small).await
}

/// Loads demo registers of a size and the demo accounts (unless already there).
pub async fn load_registers(app: &App, size: Size) -> anyhow::Result<bool> {
    if store::user::by_username(&app.db, "province").await?.is_some() {
        return Ok(false);
    }
    let actor = Actor { name: "demo".to_owned(), ..Actor::cli() };
    let regions = store::reference::regions(&app.db).await?;
    let options = ImportOptions { skip_bad: false, limits: Limits::CLI };
    let csv = enterprises_csv(&regions, size);
    let report = app
        .import_register(&actor, RegisterKind::Enterprises, "demo-enterprises.csv", csv.as_bytes(), options, &|_| {})
        .await?;
    anyhow::ensure!(
        report.errors.is_empty(),
        "demo enterprises invalid: {:?}",
        &report.errors[..report.errors.len().min(3)]
    );
    let report = app
        .import_register(
            &actor,
            RegisterKind::Officers,
            "demo-officers.csv",
            officers_csv(&regions, size).as_bytes(),
            options,
            &|_| {},
        )
        .await?;
    anyhow::ensure!(
        report.errors.is_empty(),
        "demo officers invalid: {:?}",
        &report.errors[..report.errors.len().min(3)]
    );

    let enterprise1 = store::enterprise::list(
        &app.db,
        &domain::access::Scope::Region(domain::region::RegionPrefix::of(
            &domain::region::RegionCode::parse("341522")?,
            domain::region::RegionLevel::County,
        )),
        &store::enterprise::EnterpriseFilter {
            q: Some(demo_credit_code("341522", 0).to_string()),
            ..Default::default()
        },
        domain::page::PageRequest::new(None, Some(1)),
    )
    .await?
    .items
    .into_iter()
    .next()
    .map(|e| e.id);
    let accounts: [(&str, &str, Role, &str, Option<String>); 8] = [
        ("province", "安徽省考评组", Role::ProvinceEvaluator, "340000", None),
        ("luan", "六安市安委办", Role::CityOffice, "341500", None),
        ("huoqiu", "霍邱县应急管理局", Role::CountyOffice, "341522", None),
        ("jinzhai", "金寨县应急管理局", Role::CountyOffice, "341524", None),
        ("huoqiu_housing", "霍邱县住房和城乡建设局", Role::Department, "341522", None),
        ("inspector1", "王伟（霍邱县执法大队）", Role::Inspector, "341522", None),
        ("enterprise1", "霍邱宏达化工安全管理员", Role::Enterprise, "341522", enterprise1),
        ("auditor", "审计管理员", Role::AuditAdmin, "340000", None),
    ];
    let mut tx = app.db.begin().await?;
    for (username, display, role, region, enterprise_id) in accounts {
        let new = NewUser {
            username: username.to_owned(),
            display_name: display.to_owned(),
            role,
            region_code: region.to_owned(),
            department: (role == Role::Department).then(|| "housing".to_owned()),
            enterprise_id,
            password_hash: hash_password(DEMO_PASSWORD).await?,
            must_change_password: false,
        };
        create_account(app, &mut tx, &actor, &new).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Creates a demo account, audited like any account the operator creates.
pub(crate) async fn create_account(app: &App, tx: &mut store::Tx, actor: &Actor, new: &NewUser) -> anyhow::Result<()> {
    let id = store::user::create(tx, new, app.now_ms()).await?;
    let detail = json!({"username": new.username, "demo": true});
    app.audit(tx, actor, None, "user.create", ("user", &id), "ok", detail).await?;
    Ok(())
}

/// Sample activity on top of the registers, so a demo shows a living ledger: a special action
/// run by Lu'an this year and hazards at various stages in Huoqiu and Jinzhai, created through
/// the same use-cases as real work. Idempotent (skipped when the campaign exists).
pub async fn load_activity(app: &App) -> anyhow::Result<bool> {
    use crate::service::auth::principal_of;
    use crate::service::campaigns::CampaignInput;
    use crate::service::hazards::{HazardInput, Step};
    use domain::hazard::{Action, FiveImplementations};
    let actor_of = |username: &'static str| async move {
        let user = store::user::by_username(&app.db, username)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo account {username} missing"))?;
        anyhow::Ok(Actor::user(&principal_of(&user)?, "demo"))
    };
    let luan = actor_of("luan").await?;
    let year = app.today().year();
    let name = format!("{year}年重大事故隐患专项排查整治行动（演示）");
    if app.list_campaigns(luan.principal.as_ref().expect("user")).await?.iter().any(|c| c.name == name) {
        return Ok(false);
    }
    let input = CampaignInput {
        name,
        start_date: format!("{year}-01-01"),
        end_date: format!("{year}-12-31"),
        stages: format!(
            "动员部署,{year}-01-01,{year}-03-31\n企业自查自改和部门帮扶,{year}-04-01,{year}-06-30\n精准执法,{year}-07-01,{year}-11-30\n总结提升,{year}-12-01,{year}-12-31"
        ),
        targets: "重大事故隐患动态清零；整改率不低于90%（演示数据）".into(),
        ..Default::default()
    };
    app.create_campaign(&luan, &input).await?;
    let deadline = app.today().checked_add(jiff::Span::new().days(20))?.to_string();
    let descriptions = [
        ("液氨储罐区未设置泄漏报警装置", "major", "chemicals", "第十条"),
        ("配电箱未可靠接地", "general", "", ""),
        ("消防通道被货物堵塞", "general", "", ""),
        ("有限空间作业未执行审批制度", "major", "industry-trade", "第八条"),
        ("叉车司机无证驾驶", "general", "", ""),
        ("粉尘涉爆区域使用非防爆电气设备", "major", "industry-trade", "第十一条"),
    ];
    let mut rng = SplitMix(341522);
    for (county, reporter, office) in [("341522", "inspector1", "huoqiu"), ("341524", "jinzhai", "jinzhai")] {
        let reporter = actor_of(reporter).await?;
        let office = actor_of(office).await?;
        let scope = office.principal.as_ref().expect("user").clone();
        let filter = store::enterprise::EnterpriseFilter {
            region: Some(domain::region::RegionPrefix::of(
                &domain::region::RegionCode::parse(county)?,
                domain::region::RegionLevel::County,
            )),
            ..Default::default()
        };
        let enterprises =
            app.list_enterprises(&scope, &filter, domain::page::PageRequest::new(None, Some(20))).await?.items;
        for (i, (text, grade, criterion, clause)) in descriptions.iter().enumerate() {
            let e = &enterprises[(rng.below(enterprises.len() as u64)) as usize];
            let major = *grade == "major";
            let input = HazardInput {
                enterprise_id: e.id.clone(),
                description: (*text).into(),
                location: ["一车间", "仓库", "储罐区", "配电室"][i % 4].into(),
                grade: (*grade).into(),
                criterion: major.then(|| (*criterion).into()),
                criterion_clause: major.then(|| (*clause).into()),
                source: ["department_inspection", "self_check", "spot_check", "public_report"][i % 4].into(),
                deadline: deadline.clone(),
                responsible_unit: "安全管理部".into(),
                responsible_person: "张经理".into(),
                listed_level: major.then(|| "county".into()),
                five_implementations: major.then(|| FiveImplementations {
                    responsibility: "主要负责人负总责".into(),
                    measures: "停用相关区域，限期完成改造".into(),
                    funds_yuan: 80_000,
                    deadline: deadline.clone(),
                    contingency_plan: "专项应急预案已备案".into(),
                }),
                rectification_plan: if major {
                    "制定专项整改方案，分步实施".into()
                } else {
                    String::new()
                },
                ..Default::default()
            };
            let h = app.report_hazard(&reporter, &input).await?.hazard;
            // Move some along: assigned, submitted, closed.
            let steps: &[(Action, &Actor)] = match i % 3 {
                0 => &[],
                1 => &[(Action::Assign, &office), (Action::SubmitRectification, &office)],
                _ => &[
                    (Action::Assign, &office),
                    (Action::SubmitRectification, &office),
                    (Action::Verify, &office),
                    (Action::Close, &office),
                ],
            };
            let mut version = h.version;
            for (action, who) in steps {
                let step = Step { version, note: "演示数据".into(), ..Default::default() };
                version = app.act_on_hazard(who, &h.id, *action, &step).await?.hazard.version;
            }
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_credit_codes_are_valid_and_distinct() {
        let a = demo_credit_code("341522", 0);
        let b = demo_credit_code("341522", 1);
        assert_ne!(a, b);
        assert!(CreditCode::parse(a.as_str()).is_ok());
    }

    #[test]
    fn the_demo_register_is_the_same_every_time() {
        let regions = crate::refdata::regions().unwrap();
        let small = enterprises_csv(&regions, Size::Small);
        assert_eq!(small, enterprises_csv(&regions, Size::Small));
        assert!(small.lines().count() > 2000);
        // A county's first rows are the same in the bigger register (only the cap differs).
        let reference = enterprises_csv(&regions, Size::Reference);
        let first =
            |csv: &str| csv.lines().find(|l| l.contains(",341522,")).map(|l| l.rsplit_once(',').unwrap().0.to_owned());
        assert_eq!(first(&small), first(&reference));
        assert_eq!(reference.lines().filter(|l| l.contains(",341522,")).count(), 4_200);
    }
}
