//! Turning rows of an imported register (CSV or XLSX, already read into text cells) into
//! validated [`NewEnterprise`] / [`NewOfficer`] records, with a precise report of every bad cell.
//!
//! Columns are found by header name, in Chinese or English, in any order; unknown columns are
//! ignored. Cell text is data: a value starting with `=` is kept verbatim, never evaluated.

use crate::credit_code::CreditCode;
use crate::enterprise::{NewEnterprise, RegisterStatus, RiskLevel, StandardGrade};
use crate::officer::{BadgeNo, NewOfficer};
use crate::region::RegionCode;
use std::collections::{HashMap, HashSet};

/// Which register a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterKind {
    /// Enterprises.
    Enterprises,
    /// Officers.
    Officers,
}

/// The longest free-text value accepted (names, addresses, units).
pub const MAX_TEXT_LEN: usize = 200;

/// A column of a register file: its canonical (English) name, the header texts that mean it,
/// and whether a file must have it.
struct Column {
    name: &'static str,
    aliases: &'static [&'static str],
    required: bool,
}

const ENTERPRISE_COLUMNS: &[Column] = &[
    Column { name: "credit_code", aliases: &["统一社会信用代码", "信用代码", "uscc"], required: true },
    Column { name: "name", aliases: &["单位名称", "企业名称", "名称"], required: true },
    Column { name: "region_code", aliases: &["行政区划代码", "区划代码", "region"], required: true },
    Column { name: "sector", aliases: &["行业", "行业领域", "所属行业"], required: true },
    Column { name: "risk_level", aliases: &["风险等级", "risk"], required: true },
    Column { name: "standard_grade", aliases: &["标准化等级", "安全生产标准化等级"], required: false },
    Column { name: "annual_check_cap", aliases: &["年度检查上限", "年度检查次数上限"], required: false },
    Column { name: "address", aliases: &["地址", "注册地址"], required: false },
    Column { name: "status", aliases: &["状态", "经营状态"], required: false },
];

const OFFICER_COLUMNS: &[Column] = &[
    Column { name: "badge_no", aliases: &["执法证号", "执法证件号", "badge"], required: true },
    Column { name: "name", aliases: &["姓名"], required: true },
    Column { name: "unit", aliases: &["单位", "所在单位"], required: true },
    Column { name: "department", aliases: &["部门", "所属部门"], required: true },
    Column { name: "region_code", aliases: &["行政区划代码", "区划代码", "region"], required: true },
    Column { name: "cert_valid_until", aliases: &["证件有效期至", "执法证有效期"], required: true },
    Column { name: "status", aliases: &["状态"], required: false },
];

impl RegisterKind {
    fn columns(self) -> &'static [Column] {
        match self {
            Self::Enterprises => ENTERPRISE_COLUMNS,
            Self::Officers => OFFICER_COLUMNS,
        }
    }

    /// The canonical header row, for templates and exports.
    pub fn canonical_headers(self) -> Vec<&'static str> {
        self.columns().iter().map(|c| c.name).collect()
    }
}

/// A problem with the header row: the file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// Required columns are absent.
    #[error("missing required column(s): {}", .0.join(", "))]
    Missing(Vec<&'static str>),
    /// Two headers name the same column.
    #[error("column '{0}' appears twice")]
    Duplicate(&'static str),
}

/// The Chinese header of a canonical column (its first alias), for the Chinese import report;
/// the name itself when it is not a column of `kind`.
pub fn column_zh(kind: RegisterKind, name: &str) -> &str {
    kind.columns().iter().find(|c| c.name == name).and_then(|c| c.aliases.first().copied()).unwrap_or(name)
}

impl HeaderError {
    /// The reason in Chinese (columns by their Chinese headers), for the Chinese import page.
    pub fn zh(&self, kind: RegisterKind) -> String {
        match self {
            Self::Missing(cols) => {
                let names: Vec<&str> = cols.iter().map(|c| column_zh(kind, c)).collect();
                format!("缺少必填列：{}", names.join("、"))
            }
            Self::Duplicate(col) => format!("列“{}”出现了两次", column_zh(kind, col)),
        }
    }
}

/// Where each known column sits in the file.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    kind: RegisterKind,
    index: HashMap<&'static str, usize>,
}

impl ColumnMap {
    /// Reads the header row. Matching ignores case, surrounding space and a UTF-8 BOM.
    pub fn from_headers<S: AsRef<str>>(kind: RegisterKind, headers: &[S]) -> Result<Self, HeaderError> {
        let mut index = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            let h = h.as_ref().trim_start_matches('\u{feff}').trim().to_lowercase();
            let found = kind.columns().iter().find(|c| c.name == h || c.aliases.iter().any(|a| a.to_lowercase() == h));
            if let Some(col) = found
                && index.insert(col.name, i).is_some()
            {
                return Err(HeaderError::Duplicate(col.name));
            }
        }
        let missing: Vec<_> =
            kind.columns().iter().filter(|c| c.required && !index.contains_key(c.name)).map(|c| c.name).collect();
        if !missing.is_empty() {
            return Err(HeaderError::Missing(missing));
        }
        Ok(Self { kind, index })
    }

    /// The register the file holds.
    pub fn kind(&self) -> RegisterKind {
        self.kind
    }

    fn cell<'a, S: AsRef<str>>(&self, row: &'a [S], column: &str) -> &'a str {
        self.index.get(column).and_then(|&i| row.get(i)).map(|s| s.as_ref().trim()).unwrap_or("")
    }
}

/// One bad cell of one row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// The row number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    /// The canonical column name.
    pub column: String,
    /// What is wrong, in plain words (English: the CLI, the rejects file, the API).
    pub reason: String,
    /// The same in Chinese, for the Chinese web page.
    pub reason_zh: String,
}

/// The reference data rows are checked against.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    /// Known region codes.
    pub regions: HashSet<String>,
    /// Sector code by code, Chinese name or English name (lower-cased).
    pub sectors: HashMap<String, String>,
    /// Department code by code, Chinese name or English name (lower-cased).
    pub departments: HashMap<String, String>,
}

impl Reference {
    fn lookup(map: &HashMap<String, String>, value: &str) -> Option<String> {
        map.get(&value.to_lowercase()).cloned()
    }
}

struct RowCheck<'a> {
    row: usize,
    errors: &'a mut Vec<RowError>,
}

impl RowCheck<'_> {
    fn fail(&mut self, column: &str, reason: impl Into<String>, reason_zh: impl Into<String>) {
        let (reason, reason_zh) = (reason.into(), reason_zh.into());
        self.errors.push(RowError { row: self.row, column: column.to_owned(), reason, reason_zh });
    }

    fn text(&mut self, column: &str, value: &str, required: bool) -> String {
        if required && value.is_empty() {
            self.fail(column, "is empty", "为空");
        } else if value.chars().count() > MAX_TEXT_LEN {
            self.fail(
                column,
                format!("is longer than {MAX_TEXT_LEN} characters"),
                format!("超过 {MAX_TEXT_LEN} 个字符"),
            );
        } else if value.chars().any(|c| c.is_control()) {
            self.fail(column, "contains a control character", "含有控制字符");
        }
        value.to_owned()
    }

    fn region(&mut self, column: &str, value: &str, reference: &Reference) -> Option<RegionCode> {
        match RegionCode::parse(value) {
            Ok(code) if reference.regions.contains(code.as_str()) => Some(code),
            Ok(code) => {
                self.fail(
                    column,
                    format!("region {code} is not in the region register"),
                    format!("行政区划 {code} 不在区划名录中"),
                );
                None
            }
            Err(e) => {
                self.fail(column, e.to_string(), format!("行政区划代码应为六位数字，实为“{}”", e.0));
                None
            }
        }
    }
}

/// Validates one enterprise row. `row` is the spreadsheet row number, for the report.
pub fn parse_enterprise<S: AsRef<str>>(
    map: &ColumnMap,
    row: usize,
    cells: &[S],
    reference: &Reference,
) -> Result<NewEnterprise, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut c = RowCheck { row, errors: &mut errors };
    let credit_code = CreditCode::parse(map.cell(cells, "credit_code"))
        .map_err(|e| c.fail("credit_code", e.to_string(), e.zh()))
        .ok();
    let name = c.text("name", map.cell(cells, "name"), true);
    let region = c.region("region_code", map.cell(cells, "region_code"), reference);
    let sector_text = map.cell(cells, "sector");
    let sector = Reference::lookup(&reference.sectors, sector_text);
    if sector.is_none() {
        c.fail("sector", format!("'{sector_text}' is not a known sector"), format!("“{sector_text}”不是已知行业"));
    }
    let risk_text = map.cell(cells, "risk_level");
    let risk = RiskLevel::parse(risk_text);
    if risk.is_none() {
        c.fail(
            "risk_level",
            format!("'{risk_text}' is not a risk level (major, high, general, low / 重大, 较大, 一般, 低)"),
            format!("“{risk_text}”不是风险等级（重大、较大、一般、低）"),
        );
    }
    let grade_text = map.cell(cells, "standard_grade");
    let standard_grade = if grade_text.is_empty() || grade_text == "无" || grade_text.eq_ignore_ascii_case("none") {
        None
    } else {
        let g = StandardGrade::parse(grade_text);
        if g.is_none() {
            c.fail(
                "standard_grade",
                format!("'{grade_text}' is not a grade (1, 2, 3 / 一级, 二级, 三级)"),
                format!("“{grade_text}”不是标准化等级（一级、二级、三级）"),
            );
        }
        g
    };
    let cap_text = map.cell(cells, "annual_check_cap");
    let cap = if cap_text.is_empty() {
        risk.map(RiskLevel::default_check_cap)
    } else {
        match cap_text.parse::<u32>() {
            Ok(n) if n <= 366 => Some(n),
            _ => {
                c.fail(
                    "annual_check_cap",
                    format!("'{cap_text}' is not a whole number from 0 to 366"),
                    format!("“{cap_text}”不是 0 至 366 的整数"),
                );
                None
            }
        }
    };
    let address = c.text("address", map.cell(cells, "address"), false);
    let status_text = map.cell(cells, "status");
    let status = RegisterStatus::parse(status_text);
    if status.is_none() {
        c.fail(
            "status",
            format!("'{status_text}' is not a status (active, inactive / 在营, 注销)"),
            format!("“{status_text}”不是经营状态（在营、注销）"),
        );
    }
    match (credit_code, region, sector, risk, cap, status) {
        (Some(credit_code), Some(region), Some(sector), Some(risk), Some(annual_check_cap), Some(status))
            if errors.is_empty() =>
        {
            Ok(NewEnterprise {
                credit_code,
                name,
                region,
                sector,
                risk,
                standard_grade,
                annual_check_cap,
                address,
                status,
            })
        }
        _ => Err(errors),
    }
}

/// Validates one officer row.
pub fn parse_officer<S: AsRef<str>>(
    map: &ColumnMap,
    row: usize,
    cells: &[S],
    reference: &Reference,
) -> Result<NewOfficer, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut c = RowCheck { row, errors: &mut errors };
    let badge_no = BadgeNo::parse(map.cell(cells, "badge_no"))
        .map_err(|e| {
            c.fail("badge_no", e.to_string(), format!("执法证号应为 2 至 32 位字母、数字或“-”，实为“{}”", e.0))
        })
        .ok();
    let name = c.text("name", map.cell(cells, "name"), true);
    let unit = c.text("unit", map.cell(cells, "unit"), true);
    let dept_text = map.cell(cells, "department");
    let department = Reference::lookup(&reference.departments, dept_text);
    if department.is_none() {
        c.fail("department", format!("'{dept_text}' is not a known department"), format!("“{dept_text}”不是已知部门"));
    }
    let region = c.region("region_code", map.cell(cells, "region_code"), reference);
    let date_text = map.cell(cells, "cert_valid_until");
    let cert = date_text.parse::<jiff::civil::Date>().ok();
    if cert.is_none() {
        c.fail(
            "cert_valid_until",
            format!("'{date_text}' is not a date (YYYY-MM-DD)"),
            format!("“{date_text}”不是日期（YYYY-MM-DD）"),
        );
    }
    let status_text = map.cell(cells, "status");
    let status = RegisterStatus::parse(status_text);
    if status.is_none() {
        c.fail(
            "status",
            format!("'{status_text}' is not a status (active, inactive / 在岗, 离岗)"),
            format!("“{status_text}”不是在岗状态（在岗、离岗）"),
        );
    }
    match (badge_no, department, region, cert, status) {
        (Some(badge_no), Some(department), Some(region), Some(cert_valid_until), Some(status)) if errors.is_empty() => {
            Ok(NewOfficer { badge_no, name, unit, department, region, cert_valid_until, status })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Reference {
        Reference {
            regions: ["341522".to_owned()].into(),
            sectors: [("chemicals".to_owned(), "chemicals".to_owned()), ("化工".to_owned(), "chemicals".to_owned())]
                .into(),
            departments: [("emergency".to_owned(), "emergency".to_owned())].into(),
        }
    }

    #[test]
    fn chinese_headers_in_any_order_map_to_columns() {
        let headers = ["风险等级", "\u{feff}统一社会信用代码", "单位名称", "行业", "行政区划代码", "备注"];
        let map = ColumnMap::from_headers(RegisterKind::Enterprises, &headers).unwrap();
        let row = ["较大", "914403001922038216", "某化工有限公司", "化工", "341522", "ignored"];
        let e = parse_enterprise(&map, 2, &row, &reference()).unwrap();
        assert_eq!(e.risk, RiskLevel::High);
        assert_eq!(e.sector, "chemicals");
        assert_eq!(e.annual_check_cap, 3, "the cap defaults from the risk level");
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let err = ColumnMap::from_headers(RegisterKind::Enterprises, &["name", "sector"]).unwrap_err();
        assert_eq!(err, HeaderError::Missing(vec!["credit_code", "region_code", "risk_level"]));
    }

    #[test]
    fn every_bad_cell_of_a_row_is_reported_with_row_and_column() {
        let map =
            ColumnMap::from_headers(RegisterKind::Enterprises, &RegisterKind::Enterprises.canonical_headers()).unwrap();
        let row = ["914403001922038217", "", "999999", "mining", "huge", "", "-1", "", ""];
        let errors = parse_enterprise(&map, 7, &row, &reference()).unwrap_err();
        let columns: Vec<_> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(columns, ["credit_code", "name", "region_code", "sector", "risk_level", "annual_check_cap"]);
        assert!(errors.iter().all(|e| e.row == 7));
        // Every reason also has its Chinese text, for the Chinese page.
        let zh: Vec<_> = errors.iter().map(|e| e.reason_zh.as_str()).collect();
        assert_eq!(zh[0], "校验码为“7”，应为“6”");
        assert_eq!(zh[1], "为空");
        assert!(zh[2].contains("999999") && zh[3].contains("mining") && zh[4].contains("huge") && zh[5].contains("-1"));
        assert!(zh.iter().all(|r| r.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))), "{zh:?}");
        assert_eq!(column_zh(RegisterKind::Enterprises, "credit_code"), "统一社会信用代码");
        assert_eq!(column_zh(RegisterKind::Officers, "badge_no"), "执法证号");
    }

    #[test]
    fn a_formula_like_name_is_kept_as_text() {
        let map =
            ColumnMap::from_headers(RegisterKind::Enterprises, &RegisterKind::Enterprises.canonical_headers()).unwrap();
        let row = ["914403001922038216", "=HYPERLINK(\"x\")", "341522", "chemicals", "low", "", "", "", ""];
        assert_eq!(parse_enterprise(&map, 2, &row, &reference()).unwrap().name, "=HYPERLINK(\"x\")");
    }

    #[test]
    fn officer_rows_check_dates_and_departments() {
        let map = ColumnMap::from_headers(RegisterKind::Officers, &RegisterKind::Officers.canonical_headers()).unwrap();
        let good = ["AH-0001", "张三", "霍邱县应急管理局", "emergency", "341522", "2026-12-31", ""];
        assert!(parse_officer(&map, 2, &good, &reference()).is_ok());
        let bad = ["AH-0001", "张三", "霍邱县应急管理局", "police", "341522", "31/12/2026", ""];
        let errors = parse_officer(&map, 3, &bad, &reference()).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.column.as_str()).collect::<Vec<_>>(), ["department", "cert_valid_until"]);
    }
}
