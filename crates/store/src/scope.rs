//! Jurisdiction filters: every query that reads business records goes through
//! [`scope_clause`], so no list, count or lookup can forget the caller's scope.

use crate::sql::Builder;
use domain::access::Scope;

/// The SQL condition restricting rows to `scope`. `region_col` is the row's region code;
/// `enterprise_col` the column holding the enterprise id (or `None` when the table has no
/// enterprise, in which case an enterprise-scoped caller sees nothing).
pub fn scope_clause(b: &mut Builder, scope: &Scope, region_col: &str, enterprise_col: Option<&str>) -> String {
    match scope {
        Scope::Region(prefix) => {
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
        Scope::Enterprise(id) => match enterprise_col {
            Some(col) => format!("({col} = {})", b.arg(id.as_str())),
            None => "(1 = 0)".to_owned(),
        },
        Scope::Nothing => "(1 = 0)".to_owned(),
    }
}
