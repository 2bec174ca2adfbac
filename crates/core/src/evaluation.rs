//! Quarterly evaluation (BRIEF §7): a versioned scheme of indicators, each a formula over a
//! region's figures, turned into points by a normalisation and a weight; veto rules; grade
//! bands; ranks with ties. Pure: the same scheme and inputs always give the same result.
//!
//! Rules where the brief is silent (docs/DOMAIN.md): a formula with nothing to divide by (no
//! major hazards found, so no rectification rate) gives full points; points and totals are
//! rounded to two decimals before ranking; equal totals share a rank and the next rank skips
//! (1, 2, 2, 4); vetoed regions get grade "fail" and are placed after all others.

use std::collections::BTreeMap;

/// Whether more is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// More is better.
    Higher,
    /// Less is better.
    Lower,
}

/// How a value becomes a share of the weight.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "normalise")]
pub enum Normalise {
    /// Against the best region's value (higher: v / best; lower: best / v).
    ShareOfBest,
    /// Linear between two bounds, clamped (higher: low → 0, high → 1; lower: low → 1, high → 0).
    Linear {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
}

/// One indicator.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Indicator {
    /// Stable id.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Arithmetic over figure names: `+ - * /`, numbers, parentheses.
    pub formula: String,
    /// Whether more is better.
    pub direction: Direction,
    /// Points at full marks.
    pub weight: f64,
    /// Normalisation.
    #[serde(flatten)]
    pub normalise: Normalise,
    /// The list behind the value (a path with `{region}`, `{from}`, `{to}` placeholders).
    #[serde(default)]
    pub drill: Option<String>,
}

/// A veto: a figure at or above a threshold makes the grade "fail" and the place last.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Veto {
    /// Figure name.
    pub figure: String,
    /// Threshold.
    pub at_least: f64,
    /// Why, in Chinese.
    pub reason_zh: String,
    /// Why, in English.
    pub reason_en: String,
}

/// A grade band: totals at or above `min` get `grade` (the highest band that fits).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Band {
    /// Lowest total of the band.
    pub min: f64,
    /// `excellent`, `good`, `pass`, `fail`.
    pub grade: String,
}

/// A versioned scheme.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Scheme {
    /// Version label (stored with every published run).
    pub version: String,
    /// Applies to periods starting on or after this day.
    pub valid_from: String,
    /// Indicators.
    #[serde(rename = "indicator")]
    pub indicators: Vec<Indicator>,
    /// Veto rules.
    #[serde(default, rename = "veto")]
    pub vetoes: Vec<Veto>,
    /// Grade bands.
    #[serde(rename = "band")]
    pub bands: Vec<Band>,
}

/// Why a scheme is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemeError {
    /// A formula does not parse or names an unknown figure.
    #[error("indicator {id}: {message}")]
    Formula {
        /// Indicator.
        id: String,
        /// What is wrong.
        message: String,
    },
    /// Something else is inconsistent.
    #[error("{0}")]
    Invalid(String),
}

impl Scheme {
    /// Checks the scheme against the figures a region has (`known`).
    pub fn check(&self, known: &[&str]) -> Result<(), SchemeError> {
        if self.indicators.is_empty() || self.bands.is_empty() {
            return Err(SchemeError::Invalid("a scheme needs indicators and grade bands".into()));
        }
        let mut ids = std::collections::BTreeSet::new();
        for i in &self.indicators {
            if !ids.insert(&i.id) {
                return Err(SchemeError::Invalid(format!("indicator {} appears twice", i.id)));
            }
            let vars: BTreeMap<String, f64> = known.iter().map(|k| ((*k).to_owned(), 1.0)).collect();
            eval(&i.formula, &vars).map_err(|message| SchemeError::Formula { id: i.id.clone(), message })?;
            if i.weight < 0.0 {
                return Err(SchemeError::Invalid(format!("indicator {}: negative weight", i.id)));
            }
            if let Normalise::Linear { low, high } = i.normalise
                && low >= high
            {
                return Err(SchemeError::Invalid(format!("indicator {}: low must be below high", i.id)));
            }
        }
        if let Some(v) = self.vetoes.iter().find(|v| !known.contains(&v.figure.as_str())) {
            return Err(SchemeError::Invalid(format!("veto on unknown figure {}", v.figure)));
        }
        Ok(())
    }
}

/// Evaluates a formula. `Ok(None)` when it divides by zero (no basis); `Err` for a bad formula
/// or an unknown name.
pub fn eval(formula: &str, vars: &BTreeMap<String, f64>) -> Result<Option<f64>, String> {
    let tokens = tokenize(formula)?;
    let mut p = Parser { tokens: &tokens, pos: 0, vars };
    let v = p.expr()?;
    if p.pos != tokens.len() {
        return Err(format!("unexpected '{}'", tokens[p.pos]));
    }
    Ok(v)
}

fn tokenize(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if "+-*/()".contains(c) {
            out.push(c.to_string());
            chars.next();
        } else if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            let mut t = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_alphanumeric() || **d == '_' || **d == '.') {
                t.push(d);
                chars.next();
            }
            out.push(t);
        } else {
            return Err(format!("unexpected character '{c}'"));
        }
    }
    if out.is_empty() {
        return Err("empty formula".into());
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: &'a [String],
    pos: usize,
    vars: &'a BTreeMap<String, f64>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(String::as_str)
    }

    fn expr(&mut self) -> Result<Option<f64>, String> {
        let mut v = self.term()?;
        while let Some(op @ ("+" | "-")) = self.peek() {
            let op = op.to_owned();
            self.pos += 1;
            let r = self.term()?;
            v = v.zip(r).map(|(a, b)| if op == "+" { a + b } else { a - b });
        }
        Ok(v)
    }

    fn term(&mut self) -> Result<Option<f64>, String> {
        let mut v = self.factor()?;
        while let Some(op @ ("*" | "/")) = self.peek() {
            let op = op.to_owned();
            self.pos += 1;
            let r = self.factor()?;
            v = match (v, r) {
                (Some(a), Some(b)) if op == "*" => Some(a * b),
                (Some(a), Some(b)) => (b != 0.0).then(|| a / b),
                _ => None,
            };
        }
        Ok(v)
    }

    fn factor(&mut self) -> Result<Option<f64>, String> {
        let t = self.peek().ok_or("the formula ends too early")?.to_owned();
        self.pos += 1;
        if t == "(" {
            let v = self.expr()?;
            if self.peek() != Some(")") {
                return Err("missing ')'".into());
            }
            self.pos += 1;
            return Ok(v);
        }
        if t == "-" {
            return Ok(self.factor()?.map(|v| -v));
        }
        if let Ok(n) = t.parse::<f64>() {
            return Ok(Some(n));
        }
        self.vars.get(&t).copied().map(Some).ok_or_else(|| format!("unknown figure '{t}'"))
    }
}

/// One indicator's result for a region.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Scored {
    /// Indicator id.
    pub id: String,
    /// The raw value (`None`: nothing to divide by).
    pub value: Option<f64>,
    /// Points (two decimals).
    pub points: f64,
}

/// A region's result.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RegionResult {
    /// Region code.
    pub region: String,
    /// Per indicator.
    pub indicators: Vec<Scored>,
    /// Sum of points (two decimals).
    pub total: f64,
    /// Grade.
    pub grade: String,
    /// Rank (1 = best); ties share.
    pub rank: usize,
    /// The veto that applied, if any (English reason).
    pub veto: Option<String>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Scores every region. `inputs` are the figures of each region by name.
pub fn evaluate(scheme: &Scheme, inputs: &[(String, BTreeMap<String, f64>)]) -> Vec<RegionResult> {
    let values: Vec<Vec<Option<f64>>> = inputs
        .iter()
        .map(|(_, vars)| scheme.indicators.iter().map(|i| eval(&i.formula, vars).ok().flatten()).collect())
        .collect();
    let mut results: Vec<RegionResult> = inputs
        .iter()
        .enumerate()
        .map(|(r, (region, vars))| {
            let indicators = scheme
                .indicators
                .iter()
                .enumerate()
                .map(|(k, ind)| {
                    let column: Vec<f64> = values.iter().filter_map(|row| row[k]).collect();
                    let share = match values[r][k] {
                        None => 1.0,
                        Some(v) => share(ind, v, &column),
                    };
                    Scored { id: ind.id.clone(), value: values[r][k], points: round2(ind.weight * share) }
                })
                .collect::<Vec<_>>();
            let total = round2(indicators.iter().map(|s| s.points).sum());
            let veto = scheme
                .vetoes
                .iter()
                .find(|v| vars.get(&v.figure).is_some_and(|x| *x >= v.at_least))
                .map(|v| v.reason_en.clone());
            let grade = if veto.is_some() {
                "fail".to_owned()
            } else {
                let mut bands = scheme.bands.clone();
                bands.sort_by(|a, b| b.min.total_cmp(&a.min));
                bands.iter().find(|b| total >= b.min).map(|b| b.grade.clone()).unwrap_or_else(|| "fail".into())
            };
            RegionResult { region: region.clone(), indicators, total, grade, rank: 0, veto }
        })
        .collect();
    results.sort_by(|a, b| {
        a.veto.is_some().cmp(&b.veto.is_some()).then(b.total.total_cmp(&a.total)).then(a.region.cmp(&b.region))
    });
    for i in 0..results.len() {
        let tied = i > 0
            && results[i - 1].total == results[i].total
            && results[i - 1].veto.is_some() == results[i].veto.is_some();
        results[i].rank = if tied { results[i - 1].rank } else { i + 1 };
    }
    results
}

fn share(ind: &Indicator, v: f64, column: &[f64]) -> f64 {
    let s = match (ind.normalise, ind.direction) {
        (Normalise::Linear { low, high }, Direction::Higher) => (v - low) / (high - low),
        (Normalise::Linear { low, high }, Direction::Lower) => (high - v) / (high - low),
        (Normalise::ShareOfBest, Direction::Higher) => {
            let best = column.iter().copied().fold(f64::MIN, f64::max);
            if best <= 0.0 { 1.0 } else { v / best }
        }
        (Normalise::ShareOfBest, Direction::Lower) => {
            let best = column.iter().copied().fold(f64::MAX, f64::min);
            if v <= 0.0 || v <= best { 1.0 } else { best.max(0.0) / v }
        }
    };
    s.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    fn ind(id: &str, formula: &str, direction: Direction, weight: f64, normalise: Normalise) -> Indicator {
        Indicator {
            id: id.into(),
            name_zh: id.into(),
            name_en: id.into(),
            formula: formula.into(),
            direction,
            weight,
            normalise,
            drill: None,
        }
    }

    fn scheme(indicators: Vec<Indicator>) -> Scheme {
        Scheme {
            version: "t".into(),
            valid_from: "2023-01-01".into(),
            indicators,
            vetoes: vec![Veto {
                figure: "serious".into(),
                at_least: 1.0,
                reason_zh: "".into(),
                reason_en: "serious accident".into(),
            }],
            bands: vec![
                Band { min: 90.0, grade: "excellent".into() },
                Band { min: 80.0, grade: "good".into() },
                Band { min: 60.0, grade: "pass".into() },
                Band { min: 0.0, grade: "fail".into() },
            ],
        }
    }

    #[test]
    fn formulas_are_arithmetic_over_figures_and_division_by_zero_has_no_basis() {
        let v = vars(&[("a", 3.0), ("b", 4.0), ("z", 0.0)]);
        assert_eq!(eval("a * 100 / b", &v), Ok(Some(75.0)));
        assert_eq!(eval("(a + b) - (b - a)", &v), Ok(Some(6.0)));
        assert_eq!(eval("-a + 1", &v), Ok(Some(-2.0)));
        assert_eq!(eval("a / z", &v), Ok(None));
        assert!(eval("a / nope", &v).unwrap_err().contains("unknown figure 'nope'"));
        assert!(eval("a +", &v).is_err() && eval("(a", &v).is_err() && eval("a $ b", &v).is_err());
    }

    #[test]
    fn normalisation_and_weights_give_hand_computed_points() {
        let s = scheme(vec![
            ind("rate", "closed / found", Direction::Higher, 40.0, Normalise::Linear { low: 0.5, high: 1.0 }),
            ind("overdue", "overdue", Direction::Lower, 20.0, Normalise::Linear { low: 0.0, high: 10.0 }),
            ind("cross", "cross", Direction::Higher, 30.0, Normalise::ShareOfBest),
            ind("acc", "acc", Direction::Lower, 10.0, Normalise::ShareOfBest),
        ]);
        let a = vars(&[
            ("closed", 9.0),
            ("found", 10.0),
            ("overdue", 2.0),
            ("cross", 20.0),
            ("acc", 2.0),
            ("serious", 0.0),
        ]);
        let b =
            vars(&[("closed", 0.0), ("found", 0.0), ("overdue", 12.0), ("cross", 5.0), ("acc", 4.0), ("serious", 0.0)]);
        let r = evaluate(&s, &[("A".into(), a), ("B".into(), b)]);
        // A: rate (0.9-0.5)/0.5 = 0.8 → 32; overdue (10-2)/10 → 16; cross 20/20 → 30; acc best 2/2 → 10: 88.
        // B: rate no basis → 40; overdue clamped → 0; cross 5/20 → 7.5; acc 2/4 → 5: 52.5.
        assert_eq!(r[0].region, "A");
        assert_eq!(r[0].indicators.iter().map(|s| s.points).collect::<Vec<_>>(), [32.0, 16.0, 30.0, 10.0]);
        assert_eq!((r[0].total, r[0].grade.as_str(), r[0].rank), (88.0, "good", 1));
        assert_eq!((r[1].total, r[1].grade.as_str(), r[1].rank), (52.5, "fail", 2));
        assert_eq!(r[1].indicators[0].value, None);
    }

    #[test]
    fn a_veto_fails_the_region_and_places_it_last() {
        let s = scheme(vec![ind("x", "x", Direction::Higher, 100.0, Normalise::ShareOfBest)]);
        let r = evaluate(
            &s,
            &[
                ("A".into(), vars(&[("x", 10.0), ("serious", 1.0)])),
                ("B".into(), vars(&[("x", 5.0), ("serious", 0.0)])),
            ],
        );
        assert_eq!((r[0].region.as_str(), r[0].rank), ("B", 1));
        assert_eq!((r[1].region.as_str(), r[1].rank, r[1].grade.as_str()), ("A", 2, "fail"));
        assert_eq!((r[1].total, r[1].veto.as_deref()), (100.0, Some("serious accident")));
    }

    #[test]
    fn equal_totals_share_a_rank_and_the_next_rank_skips() {
        let s = scheme(vec![ind("x", "x", Direction::Higher, 100.0, Normalise::ShareOfBest)]);
        let row = |code: &str, x: f64| (code.to_owned(), vars(&[("x", x), ("serious", 0.0)]));
        let r = evaluate(&s, &[row("D", 4.0), row("B", 8.0), row("C", 8.0), row("A", 10.0)]);
        let ranks: Vec<(&str, usize)> = r.iter().map(|x| (x.region.as_str(), x.rank)).collect();
        assert_eq!(ranks, [("A", 1), ("B", 2), ("C", 2), ("D", 4)]);
    }

    #[test]
    fn schemes_are_checked_against_the_known_figures() {
        let mut s = scheme(vec![ind("x", "x / y", Direction::Higher, 10.0, Normalise::ShareOfBest)]);
        assert!(s.check(&["x", "y", "serious"]).is_ok());
        assert!(matches!(s.check(&["x", "serious"]), Err(SchemeError::Formula { .. })));
        s.indicators[0].normalise = Normalise::Linear { low: 1.0, high: 1.0 };
        assert!(s.check(&["x", "y", "serious"]).is_err());
    }
}
