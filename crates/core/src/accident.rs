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
