//! XLSX exports. Every cell is written as a string or number, never as a formula, so a value
//! that starts with `=` (a description, a name) stays text when opened in a spreadsheet.

use crate::service::hazards::HazardView;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// The ledger columns, in order: header (Chinese / English).
pub const HAZARD_COLUMNS: [&str; 16] = [
    "隐患编号 hazard_no",
    "行政区划 region_code",
    "统一社会信用代码 credit_code",
    "单位名称 enterprise",
    "行业 sector",
    "隐患描述 description",
    "位置 location",
    "等级 grade",
    "来源 source",
    "状态 status",
    "整改期限 deadline",
    "逾期天数 days_overdue",
    "督办 escalation",
    "挂牌 listed_level",
    "责任单位 responsible_unit",
    "责任人 responsible_person",
];

/// Writes the ledger rows as a workbook.
pub fn hazards_xlsx(rows: &[HazardView]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("台账 ledger")?;
    let bold = Format::new().set_bold();
    for (c, h) in HAZARD_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, v) in rows.iter().enumerate() {
        let r = (i + 1) as u32;
        let h = &v.hazard;
        let cells = [
            h.hazard_no.as_str(),
            h.region_code.as_str(),
            h.credit_code.as_str(),
            h.enterprise_name.as_str(),
            h.sector.as_str(),
            h.description.as_str(),
            h.location.as_str(),
            h.grade.as_str(),
            h.source.as_str(),
            h.status.as_str(),
            h.deadline.as_str(),
        ];
        for (c, value) in cells.iter().enumerate() {
            sheet.write_string(r, c as u16, *value)?;
        }
        sheet.write_number(r, 11, v.days_overdue as f64)?;
        sheet.write_string(r, 12, v.escalation.as_str())?;
        sheet.write_string(r, 13, h.listed_level.map(|l| l.as_str()).unwrap_or(""))?;
        sheet.write_string(r, 14, h.responsible_unit.as_str())?;
        sheet.write_string(r, 15, h.responsible_person.as_str())?;
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// Writes an evaluation run as a workbook: one row per region with rank, change, total, grade
/// and every indicator's value and points.
pub fn evaluation_xlsx(
    run: &crate::service::evaluation::Run,
    scheme: &domain::evaluation::Scheme,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(format!("{} ranking", run.period))?;
    let bold = Format::new().set_bold();
    let mut headers: Vec<String> = [
        "排名 rank",
        "代码 code",
        "地区 region",
        "总分 total",
        "等次 grade",
        "上期排名 previous",
        "变化 change",
        "否决 veto",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for i in &scheme.indicators {
        headers.push(format!("{} value", i.name_zh));
        headers.push(format!("{} points", i.name_zh));
    }
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h, &bold)?;
    }
    for (i, row) in run.rows.iter().enumerate() {
        let r = (i + 1) as u32;
        let res = &row.result;
        sheet.write_number(r, 0, res.rank as f64)?;
        sheet.write_string(r, 1, &res.region)?;
        sheet.write_string(r, 2, &row.name)?;
        sheet.write_number(r, 3, res.total)?;
        sheet.write_string(r, 4, &res.grade)?;
        if let Some(p) = row.previous_rank {
            sheet.write_number(r, 5, p as f64)?;
        }
        if let Some(c) = row.change {
            sheet.write_number(r, 6, c as f64)?;
        }
        sheet.write_string(r, 7, res.veto.as_deref().unwrap_or(""))?;
        for (k, s) in res.indicators.iter().enumerate() {
            let col = 8 + 2 * k as u16;
            if let Some(v) = s.value {
                sheet.write_number(r, col, v)?;
            }
            sheet.write_number(r, col + 1, s.points)?;
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader, Xlsx};

    #[test]
    fn the_evaluation_workbook_has_a_row_per_region_with_every_indicator() {
        let scheme = crate::refdata::DEFAULT_SCHEME.clone();
        let inputs: Vec<(String, std::collections::BTreeMap<String, f64>)> = ["341522", "341524"]
            .iter()
            .map(|c| ((*c).to_owned(), crate::refdata::FIGURE_NAMES.iter().map(|n| (n.clone(), 1.0)).collect()))
            .collect();
        let rows = domain::evaluation::evaluate(&scheme, &inputs)
            .into_iter()
            .map(|result| crate::service::evaluation::RunRow {
                result,
                name: "x".into(),
                previous_rank: Some(1),
                change: Some(0),
            })
            .collect();
        let run = crate::service::evaluation::Run {
            parent: "341500".into(),
            period: "2026Q4".into(),
            scheme_version: scheme.version.clone(),
            inputs_digest: String::new(),
            rows,
        };
        let bytes = super::evaluation_xlsx(&run, &scheme).unwrap();
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(range.height(), 3, "a header and two regions");
        assert_eq!(range.width(), 8 + 2 * scheme.indicators.len());
        assert_eq!(range.get((1, 1)), Some(&Data::String("341522".into())));
    }
}
