//! Chinese and English UI text from message catalogues (`i18n/zh-CN.toml`, `i18n/en.toml`).
//!
//! The language comes from the `lang` cookie (set by the switch in the page header), else
//! from `Accept-Language` (Chinese if the first preference is Chinese), else Chinese, the
//! language of the users. A test checks both catalogues have the same keys and that every
//! key used in a template exists.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::LazyLock;

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 简体中文.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 tag (for `<html lang>`).
    pub fn tag(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    /// The short code used in URLs and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }

    /// Parses the short code.
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "zh" => Some(Self::Zh),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// Picks from an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Self {
        let first = header.split(',').next().unwrap_or("").trim().to_ascii_lowercase();
        if first.starts_with("en") {
            Self::En
        } else if first.starts_with("zh") || first.is_empty() {
            Self::Zh
        } else {
            Self::En
        }
    }
}

fn parse(text: &str) -> HashMap<String, String> {
    toml::from_str(text).expect("message catalogue is valid TOML of strings")
}

/// The Chinese catalogue.
pub static ZH: LazyLock<HashMap<String, String>> = LazyLock::new(|| parse(include_str!("../../i18n/zh-CN.toml")));
/// The English catalogue.
pub static EN: LazyLock<HashMap<String, String>> = LazyLock::new(|| parse(include_str!("../../i18n/en.toml")));

/// A translator for one language, handed to templates as `t`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    /// The language.
    pub lang: Lang,
}

impl Tr {
    /// The text for `key`; `"??"` if missing (a test keeps that from happening).
    pub fn s(&self, key: &str) -> &'static str {
        let map: &'static HashMap<String, String> = match self.lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        };
        map.get(key).map(String::as_str).unwrap_or("??")
    }

    /// Whether the language is Chinese (for choosing `name_zh` or `name_en`).
    pub fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }
}

/// The language of a request.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(lang) = super::auth::cookie(&parts.headers, "lang").and_then(|c| Lang::from_code(&c)) {
            return Ok(lang);
        }
        let header = parts.headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
        Ok(Lang::from_accept_language(header))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let mut zh: Vec<_> = ZH.keys().collect();
        let mut en: Vec<_> = EN.keys().collect();
        zh.sort();
        en.sort();
        assert_eq!(zh, en);
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut missing = Vec::new();
        let mut texts: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
        for src in [
            "pages/mod.rs",
            "pages/registers.rs",
            "pages/admin.rs",
            "pages/account.rs",
            "pages/plans.rs",
            "pages/public.rs",
        ] {
            texts.push(std::fs::read_to_string(format!("{}/src/web/{src}", env!("CARGO_MANIFEST_DIR"))).unwrap());
        }
        for text in texts {
            for part in text.split("t.s(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                if !ZH.contains_key(key) {
                    missing.push(key.to_owned());
                }
            }
        }
        assert!(missing.is_empty(), "missing keys: {missing:?}");
    }

    #[test]
    fn every_key_built_from_a_domain_value_exists() {
        use domain::hazard::{ACTIONS, Escalation, SOURCES, STATUSES};
        let mut keys: Vec<String> = Vec::new();
        keys.extend(domain::access::ALL_ROLES.iter().map(|r| format!("role.{}", r.as_str())));
        keys.extend(domain::enterprise::RISK_LEVELS.iter().map(|r| format!("risk.{}", r.as_str())));
        keys.extend(["level1", "level2", "level3"].iter().map(|g| format!("grade.{g}")));
        keys.extend(["active", "inactive"].iter().map(|g| format!("status.{g}")));
        keys.extend(["draft", "committed", "drawn"].iter().map(|g| format!("plan_status.{g}")));
        keys.extend(["general", "major"].iter().map(|g| format!("grade_h.{g}")));
        keys.extend(SOURCES.iter().map(|s| format!("source.{}", s.as_str())));
        keys.extend(STATUSES.iter().map(|s| format!("hstatus.{}", s.as_str())));
        keys.extend(ACTIONS.iter().map(|a| format!("action.{}", a.as_str())));
        keys.push("action.report".into());
        keys.extend(
            [
                Escalation::None,
                Escalation::Reminder,
                Escalation::SupervisionLetter,
                Escalation::Listing,
                Escalation::Interview,
            ]
            .iter()
            .map(|e| format!("escalation.{}", e.as_str())),
        );
        keys.extend(["county", "city", "province"].iter().map(|l| format!("listed.{l}")));
        keys.extend(
            [
                "warning",
                "fine",
                "confiscation",
                "order_to_correct",
                "suspension",
                "licence_suspension",
                "licence_revocation",
                "closure",
            ]
            .iter()
            .map(|g| format!("ptype.{g}")),
        );
        keys.extend(
            ["filed", "investigated", "notified", "hearing", "decided", "served", "executed", "closed"]
                .iter()
                .map(|g| format!("case.{g}")),
        );
        keys.extend(
            ["investigate", "notify", "request_hearing", "decide", "serve", "execute", "close"]
                .iter()
                .map(|g| format!("case_action.{g}")),
        );
        keys.extend(["no_problem", "order_to_correct", "penalty_case"].iter().map(|g| format!("outcome.{g}")));
        keys.extend(["general", "larger", "major", "especially_major"].iter().map(|g| format!("agrade.{g}")));
        keys.extend(["newest", "deadline", "region"].iter().map(|l| format!("sort.{l}")));
        keys.extend(
            [
                "not_found",
                "forbidden",
                "invalid",
                "conflict",
                "bad_credentials",
                "unauthenticated",
                "locked",
                "password_change_required",
                "internal",
            ]
            .iter()
            .map(|c| format!("error.{c}")),
        );
        let missing: Vec<_> = keys.iter().filter(|k| !ZH.contains_key(*k)).collect();
        assert!(missing.is_empty(), "missing keys: {missing:?}");
    }

    #[test]
    fn accept_language_prefers_the_first_choice() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9,zh;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept_language("zh-CN,zh;q=0.9"), Lang::Zh);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
        assert_eq!(Lang::from_accept_language("fr"), Lang::En);
    }
}
