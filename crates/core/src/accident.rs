//! Production-safety accidents (生产安全事故) and their grade (BRIEF §6).

/// Accident grade, from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccidentGrade {
    /// 一般事故.
    General,
    /// 较大事故.
    Larger,
    /// 重大事故.
    Major,
    /// 特别重大事故.
    EspeciallyMajor,
}

impl AccidentGrade {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::General => "general",
            Self::Larger => "larger",
            Self::Major => "major",
            Self::EspeciallyMajor => "especially_major",
        }
    }

    /// Whether the grade triggers the one-vote veto in evaluations (major or worse).
    pub fn is_veto(self) -> bool {
        self >= Self::Major
    }
}

/// Direct economic loss thresholds in fen: ¥10M, ¥50M, ¥100M.
const LOSS_FEN: [i64; 3] = [10_000_000 * 100, 50_000_000 * 100, 100_000_000 * 100];

/// The grade: the highest of the three criteria, each threshold including the number itself
/// (3 deaths is already "larger").
pub fn grade(deaths: u32, serious_injuries: u32, direct_loss_fen: i64) -> AccidentGrade {
    let by = |value: i64, [larger, major, especially]: [i64; 3]| {
        if value >= especially {
            AccidentGrade::EspeciallyMajor
        } else if value >= major {
            AccidentGrade::Major
        } else if value >= larger {
            AccidentGrade::Larger
        } else {
            AccidentGrade::General
        }
    };
    by(i64::from(deaths), [3, 10, 30])
        .max(by(i64::from(serious_injuries), [10, 50, 100]))
        .max(by(direct_loss_fen, LOSS_FEN))
}

#[cfg(test)]
mod tests {
    use super::AccidentGrade::*;
    use super::*;

    const YUAN: i64 = 100;

    #[test]
    fn each_threshold_includes_its_number() {
        assert_eq!(grade(2, 0, 0), General);
        assert_eq!(grade(3, 0, 0), Larger);
        assert_eq!(grade(9, 0, 0), Larger);
        assert_eq!(grade(10, 0, 0), Major);
        assert_eq!(grade(29, 0, 0), Major);
        assert_eq!(grade(30, 0, 0), EspeciallyMajor);
        assert_eq!(grade(0, 9, 0), General);
        assert_eq!(grade(0, 10, 0), Larger);
        assert_eq!(grade(0, 49, 0), Larger);
        assert_eq!(grade(0, 50, 0), Major);
        assert_eq!(grade(0, 99, 0), Major);
        assert_eq!(grade(0, 100, 0), EspeciallyMajor);
        assert_eq!(grade(0, 0, 10_000_000 * YUAN - 1), General);
        assert_eq!(grade(0, 0, 10_000_000 * YUAN), Larger);
        assert_eq!(grade(0, 0, 50_000_000 * YUAN - 1), Larger);
        assert_eq!(grade(0, 0, 50_000_000 * YUAN), Major);
        assert_eq!(grade(0, 0, 100_000_000 * YUAN - 1), Major);
        assert_eq!(grade(0, 0, 100_000_000 * YUAN), EspeciallyMajor);
    }

    #[test]
    fn the_grade_is_the_highest_of_the_three() {
        assert_eq!(grade(1, 60, 0), Major);
        assert_eq!(grade(12, 0, 200_000_000 * YUAN), EspeciallyMajor);
        assert!(Major.is_veto() && EspeciallyMajor.is_veto() && !Larger.is_veto());
    }
}

/// Accident types of GB 6441-1986 (企业职工伤亡事故分类): `(code, Chinese, English)`.
pub const TYPES: [(&str, &str, &str); 20] = [
    ("struck_by_object", "物体打击", "Struck by object"),
    ("vehicle", "车辆伤害", "Vehicle injury"),
    ("machinery", "机械伤害", "Machinery injury"),
    ("lifting", "起重伤害", "Lifting injury"),
    ("electric_shock", "触电", "Electric shock"),
    ("drowning", "淹溺", "Drowning"),
    ("scald_burn", "灼烫", "Scald or burn"),
    ("fire", "火灾", "Fire"),
    ("fall_from_height", "高处坠落", "Fall from height"),
    ("collapse", "坍塌", "Collapse"),
    ("roof_fall", "冒顶片帮", "Roof or rib fall"),
    ("water_inrush", "透水", "Water inrush"),
    ("blasting", "放炮", "Blasting"),
    ("explosive_explosion", "火药爆炸", "Explosive explosion"),
    ("gas_explosion", "瓦斯爆炸", "Gas explosion"),
    ("boiler_explosion", "锅炉爆炸", "Boiler explosion"),
    ("vessel_explosion", "容器爆炸", "Pressure vessel explosion"),
    ("other_explosion", "其他爆炸", "Other explosion"),
    ("poisoning_asphyxiation", "中毒和窒息", "Poisoning and asphyxiation"),
    ("other", "其他伤害", "Other injury"),
];

/// Parses an amount in yuan (`1234`, `1,234.5`, `¥1234.56`) into integer fen; money is never
/// a float.
pub fn parse_yuan(text: &str) -> Option<i64> {
    let t: String = text.trim().trim_start_matches(['¥', '￥']).chars().filter(|c| *c != ',' && *c != '，').collect();
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let fen = format!("{frac:0<2}").parse::<i64>().ok()?;
    whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(fen)
}

#[cfg(test)]
mod money_tests {
    #[test]
    fn yuan_amounts_become_integer_fen() {
        assert_eq!(super::parse_yuan("1234"), Some(123_400));
        assert_eq!(super::parse_yuan("¥1,234.5"), Some(123_450));
        assert_eq!(super::parse_yuan("0.07"), Some(7));
        assert_eq!(super::parse_yuan("1.234"), None);
        assert_eq!(super::parse_yuan("-5"), None);
        assert_eq!(super::parse_yuan("abc"), None);
    }
}
