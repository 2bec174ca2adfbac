//! Register import (CSV and XLSX) and browsing, through the API.

use crate::helpers::TestApp;
use axum::http::StatusCode;
use inspectorate::demo::demo_credit_code;
use store::Backend;

fn code(n: u32) -> String {
    demo_credit_code("341522", 5000 + n).to_string()
}

fn huoqiu_csv(rows: &[String]) -> Vec<u8> {
    let mut s = String::from("统一社会信用代码,单位名称,行政区划代码,行业,风险等级,标准化等级\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

fn good_rows() -> Vec<String> {
    vec![
        format!("{},霍邱测试化工有限公司,341522,危险化学品,重大,一级", code(1)),
        format!("{},霍邱测试建材有限公司,341522,building-materials,较大,", code(2)),
        format!("{},霍邱测试商贸有限公司,341522,商贸,低,三级", code(3)),
    ]
}

async fn count_matching(app: &TestApp, token: &str, q: &str) -> i64 {
    let q = inspectorate::web::auth::urlencode(q);
    app.get(&format!("/api/v1/enterprises?q={q}"), Some(token)).await.json()["total"].as_i64().unwrap()
}

async fn a_valid_register_is_imported_and_reimporting_it_changes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("huoqiu").await;
    let file = huoqiu_csv(&good_rows());
    let r = app.upload(&t, "enterprises", "", "huoqiu.csv", &file).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!((j["rows"].as_u64(), j["inserted"].as_u64(), j["written"].as_bool()), (Some(3), Some(3), Some(true)));
    assert_eq!(count_matching(&app, &t, "霍邱测试").await, 3);
    let before = app.get(&format!("/api/v1/enterprises?q={}", code(1)), Some(&t)).await.json()["items"][0].clone();
    assert_eq!(before["risk_level"], "major");
    assert_eq!(before["sector"], "chemicals", "a sector given by its Chinese name is stored by code");

    let again = app.upload(&t, "enterprises", "", "huoqiu.csv", &file).await.json();
    assert_eq!(
        (again["inserted"].as_u64(), again["updated"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(0), Some(3))
    );
    let after = app.get(&format!("/api/v1/enterprises?q={}", code(1)), Some(&t)).await.json()["items"][0].clone();
    assert_eq!(before, after, "re-importing the same file changes nothing, not even the version");
}

async fn one_bad_row_means_nothing_is_written_and_the_report_names_it(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("huoqiu").await;
    let mut rows = good_rows();
    let mut broken = code(4);
    broken.replace_range(17..18, if broken.ends_with('0') { "1" } else { "0" });
    rows.insert(1, format!("{broken},坏行有限公司,341522,危险化学品,极高,"));
    let r = app.upload(&t, "enterprises", "", "bad.csv", &huoqiu_csv(&rows)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let j = r.json();
    assert_eq!(j["written"], false);
    let errors: Vec<(u64, &str)> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [(3, "credit_code"), (3, "risk_level")], "row 3 of the file (the header is row 1)");
    assert!(j["errors"][0]["reason"].as_str().unwrap().contains("check character"));
    assert!(j["errors"][0]["reason_zh"].as_str().unwrap().contains("校验码"), "{j}");
    assert_eq!(count_matching(&app, &t, "霍邱测试").await, 0, "all or nothing");

    let r = app.upload(&t, "enterprises", "?skip_bad=true", "bad.csv", &huoqiu_csv(&rows)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["inserted"], 3);
    assert_eq!(count_matching(&app, &t, "霍邱测试").await, 3, "--skip-bad writes the good rows");
}

async fn a_county_cannot_import_into_another_county(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("huoqiu").await;
    let row = format!("{},金寨某公司,341524,危险化学品,低,", demo_credit_code("341524", 7000));
    let j = app.upload(&t, "enterprises", "", "x.csv", &huoqiu_csv(&[row])).await.json();
    assert_eq!(j["errors"][0]["column"], "region_code");
    assert_eq!(j["errors"][0]["reason"], "is outside your jurisdiction");
    // Nor take over an enterprise registered in another county by re-declaring it.
    let theirs = format!("{},改到霍邱,341522,危险化学品,低,", demo_credit_code("341524", 0));
    let j = app.upload(&t, "enterprises", "", "x.csv", &huoqiu_csv(&[theirs])).await.json();
    assert_eq!(j["errors"][0]["reason"], "is registered outside your jurisdiction");
}

async fn xlsx_with_codes_as_text_numbers_and_formula_like_text_imports(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("luan").await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["credit_code", "name", "region_code", "sector", "risk_level", "annual_check_cap"].iter().enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    // Credit codes stored as text that looks like a number, region codes and caps as numbers.
    sheet.write_string(1, 0, "914403001922038216").unwrap();
    sheet.write_string(1, 1, "=HYPERLINK(\"http://evil\",\"click\")").unwrap();
    sheet.write_number(1, 2, 341522.0).unwrap();
    sheet.write_string(1, 3, "chemicals").unwrap();
    sheet.write_string(1, 4, "high").unwrap();
    sheet.write_number(1, 5, 2.0).unwrap();
    sheet.write_string(2, 0, "9144030071526726xg").unwrap();
    sheet.write_string(2, 1, "舒城某机械厂").unwrap();
    sheet.write_number(2, 2, 341523.0).unwrap();
    sheet.write_string(2, 3, "机械").unwrap();
    sheet.write_string(2, 4, "一般").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let r = app.upload(&t, "enterprises", "", "luan.xlsx", &bytes).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["inserted"], 2);
    let e = app.get("/api/v1/enterprises?q=914403001922038216", Some(&t)).await.json()["items"][0].clone();
    assert_eq!(e["name"], "=HYPERLINK(\"http://evil\",\"click\")", "a formula-like cell is kept as text");
    assert_eq!(e["region_code"], "341522");
    assert_eq!(e["annual_check_cap"], 2);
    let lower = app.get("/api/v1/enterprises?q=9144030071526726XG", Some(&t)).await.json();
    assert_eq!(lower["total"], 1, "a lower-case check letter is normalised");
}

async fn officers_import_and_unreadable_files_get_clear_errors(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("huoqiu").await;
    let csv = "执法证号,姓名,单位,部门,行政区划代码,证件有效期至\nAH-T-01,测试员,霍邱县应急管理局,应急管理,341522,2027-06-30\n";
    let r = app.upload(&t, "officers", "", "o.csv", csv.as_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = app.get("/api/v1/officers?q=AH-T-01", Some(&t)).await.json();
    assert_eq!(page["items"][0]["department"], "emergency");
    let r = app.upload(&t, "officers", "", "o.exe", b"MZ\x90\x00").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("unsupported file type"));
    let r = app.upload(&t, "officers", "", "o.csv", b"name,unit\nx,y\n").await;
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("missing required column"));
    let imports = app.audit_actions().await.into_iter().filter(|(_, a, _)| a == "officer.import").count();
    assert_eq!(imports, 2, "the demo load and this import are audited; refused files write nothing");
}

async fn the_enterprise_list_filters_and_paginates(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("luan").await;
    let all = app.get("/api/v1/enterprises?per_page=10", Some(&t)).await.json();
    assert_eq!(all["total"], 7 * 300);
    assert_eq!(all["items"].as_array().unwrap().len(), 10);
    let huoqiu = app.get("/api/v1/enterprises?region=341522&per_page=200", Some(&t)).await.json();
    assert_eq!(huoqiu["total"], 300);
    let major = app.get("/api/v1/enterprises?region=341522&risk=major&sector=chemicals", Some(&t)).await.json();
    let items = major["items"].as_array().unwrap();
    assert!(
        items.iter().all(|e| e["risk_level"] == "major" && e["sector"] == "chemicals" && e["region_code"] == "341522")
    );
    let page2 = app.get("/api/v1/enterprises?region=341522&per_page=200&page=2", Some(&t)).await.json();
    assert_eq!(page2["items"].as_array().unwrap().len(), 100);
    let bad = app.get("/api/v1/enterprises?risk=extreme", Some(&t)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["field"], "risk");
}

/// Posts a register file to the import page as a browser in `lang` would.
async fn import_page(app: &TestApp, b: &crate::helpers::Browser, lang: &str, name: &str, content: &str) -> String {
    let boundary = "XinspectorateX";
    let mut body = String::new();
    for (field, value) in [("csrf", b.csrf.as_str()), ("kind", "enterprises")] {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    ));
    let req = axum::http::Request::post("/import")
        .header(axum::http::header::COOKIE, format!("{}; lang={lang}", b.cookie))
        .header(axum::http::header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    r.body
}

/// The import page reports bad cells and unusable files in the page's language: Chinese
/// column headers and reasons on the Chinese page, the canonical names and English reasons on
/// the English one.
async fn the_import_page_reports_bad_cells_in_the_page_language(backend: Backend) {
    let app = TestApp::new(backend).await;
    let b = app.browser("huoqiu").await;
    let bad_check = demo_credit_code("341522", 901).to_string();
    let bad_check = format!("{}{}", &bad_check[..17], if bad_check.ends_with('0') { '1' } else { '0' });
    let good = demo_credit_code("341522", 902);
    let csv = format!(
        "credit_code,name,region_code,sector,risk_level\n{bad_check},甲,341522,chemicals,high\n{good},乙,341522,spaceships,low\n"
    );
    let no_code = "name,region_code,sector,risk_level\n甲,341522,chemicals,high\n";
    for (lang, cells, file) in [
        (
            "zh",
            ["统一社会信用代码", "校验码为", "行业", "“spaceships”不是已知行业"],
            ["不支持的文件类型", "缺少必填列：统一社会信用代码"],
        ),
        (
            "en",
            ["credit_code", "check character is", "sector", "spaceships&#39; is not a known sector"],
            ["unsupported file type", "missing required column(s): credit_code"],
        ),
    ] {
        let body = import_page(&app, &b, lang, "r.csv", &csv).await;
        for text in cells {
            assert!(body.contains(text), "{lang} page lacks {text:?}: {body}");
        }
        let body = import_page(&app, &b, lang, "r.txt", &csv).await;
        assert!(body.contains(file[0]), "{lang} page lacks {:?}: {body}", file[0]);
        let body = import_page(&app, &b, lang, "r.csv", no_code).await;
        assert!(body.contains(file[1]), "{lang} page lacks {:?}: {body}", file[1]);
    }
}

crate::on_both_backends!(
    the_import_page_reports_bad_cells_in_the_page_language,
    a_valid_register_is_imported_and_reimporting_it_changes_nothing,
    one_bad_row_means_nothing_is_written_and_the_report_names_it,
    a_county_cannot_import_into_another_county,
    xlsx_with_codes_as_text_numbers_and_formula_like_text_imports,
    officers_import_and_unreadable_files_get_clear_errors,
    the_enterprise_list_filters_and_paginates,
);
