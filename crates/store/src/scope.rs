//! Jurisdiction filters: every query that reads business records goes through
//! [`scope_clause`], so no list, count or lookup can forget the caller's scope.

use crate::sql::Builder;
use domain::access::Scope;
use domain::region::RegionPrefix;

/// The SQL condition restricting rows to `scope`. `region_col` is the row's region code;
/// `enterprise_col` the column holding the enterprise id (or `None` when the table has no
/// enterprise, in which case an enterprise-scoped caller sees nothing and a department
/// regulator sees the region-level records of its jurisdiction).
pub fn scope_clause(b: &mut Builder, scope: &Scope, region_col: &str, enterprise_col: Option<&str>) -> String {
    match scope {
        Scope::Region(prefix) => range_clause(b, prefix, region_col),
        Scope::Department(prefix, department) => {
            let within = range_clause(b, prefix, region_col);
            with_sectors(b, within, prefix, department, enterprise_col)
        }
        Scope::Enterprise(id) => match enterprise_col {
            Some(col) => format!("({col} = {})", b.arg(id.as_str())),
            None => "(1 = 0)".to_owned(),
        },
        Scope::Nothing => "(1 = 0)".to_owned(),
    }
}

/// The same restriction as [`scope_clause`] for a region-wide scope, written as the list of the
/// jurisdiction's region codes (from the region table) instead of a range of codes, so that an
/// index leading with the region code is searched region by region (`region = ? AND day
/// BETWEEN …`) rather than walked over the whole range. Used by the figures and the ledger,
/// which read a period, a status or a grade of every region of a city or a province. Relies
/// on every record's region code being a code of the region register, which imports and every
/// use-case check. A county's jurisdiction is its one code, asked for directly.
pub fn region_list_clause(b: &mut Builder, scope: &Scope, region_col: &str, enterprise_col: Option<&str>) -> String {
    match scope {
        Scope::Region(prefix) if prefix.single_code().is_some() => range_clause(b, prefix, region_col),
        Scope::Region(prefix) => {
            let (low, high) = prefix.range();
            let low = b.arg(low);
            let high = match high {
                Some(high) => format!(" AND code < {}", b.arg(high)),
                None => String::new(),
            };
            format!("({region_col} IN (SELECT code FROM region WHERE code >= {low}{high}))")
        }
        Scope::Department(prefix, department) => {
            let within = region_list_clause(b, &Scope::Region(prefix.clone()), region_col, None);
            with_sectors(b, within, prefix, department, enterprise_col)
        }
        _ => scope_clause(b, scope, region_col, enterprise_col),
    }
}

/// `region_col` within the prefix's codes: equal to its code when it is a whole code, else in
/// its range of codes.
fn range_clause(b: &mut Builder, prefix: &RegionPrefix, region_col: &str) -> String {
    if let Some(code) = prefix.single_code() {
        return format!("({region_col} = {})", b.arg(code));
    }
    let (low, high) = prefix.range();
    let low = b.arg(low);
    match high {
        Some(high) => {
            let high = b.arg(high);
            format!("({region_col} >= {low} AND {region_col} < {high})")
        }
        None => format!("({region_col} >= {low})"),
    }
}

/// Narrows `within` (the jurisdiction) to the enterprises whose sector the department
/// regulates. The enterprise ids come from an uncorrelated subquery, so the outer column names
/// cannot be captured by the enterprise table's own `region_code` and `id`.
fn with_sectors(
    b: &mut Builder,
    within: String,
    prefix: &RegionPrefix,
    department: &str,
    enterprise_col: Option<&str>,
) -> String {
    let Some(col) = enterprise_col else { return within };
    let region = range_clause(b, prefix, "region_code");
    let department = b.arg(department);
    format!(
        "({within} AND {col} IN (SELECT id FROM enterprise WHERE {region} \
         AND sector IN (SELECT code FROM sector WHERE department = {department})))"
    )
}
