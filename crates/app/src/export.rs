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
