//! Quarterly evaluation runs: the sub-regions of a region (the province's cities, a city's
//! counties) scored by the scheme in force for the quarter on their figures, ranked, with the
//! previous quarter's rank and the change. A run can be published once: it is then frozen with
//! the scheme version and a digest of its inputs; recomputing shows any later change to old
//! records as a difference instead of changing the published ranking.

use super::{Actor, App, ServiceError, invalid};
use domain::access::{Permission, Role};
use domain::evaluation::{RegionResult, Scheme, evaluate};
use domain::period::{Period, Quarter};
use serde_json::json;
use std::collections::BTreeMap;

/// One region's line of a run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunRow {
    /// The scored result (indicators, total, grade, rank, veto).
    #[serde(flatten)]
    pub result: RegionResult,
    /// Name (Chinese).
    pub name: String,
    /// Rank in the previous quarter.
    pub previous_rank: Option<usize>,
    /// Places gained since then (positive: rose).
    pub change: Option<i64>,
}

/// A run: computed now, or as published.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Run {
    /// The region whose sub-regions are ranked.
    pub parent: String,
    /// `2023Q3`.
    pub period: String,
    /// Scheme version.
    pub scheme_version: String,
    /// SHA-256 of the inputs (hex).
    pub inputs_digest: String,
    /// Lines, best first.
    pub rows: Vec<RunRow>,
}

/// A run as the page and the API show it.
#[derive(Debug, Clone)]
pub struct RunView {
    /// The published run if there is one, else the one computed now.
    pub run: Run,
    /// Who published it and when (ms), if published.
    pub published: Option<(String, i64)>,
    /// For a published run: the regions whose total differs when recomputed now (records
    /// changed after publication).
    pub changed_since: Vec<String>,
    /// The scheme used.
    pub scheme: Scheme,
}

impl App {
    /// The scheme in force for a period: the newest (shipped or imported) whose `valid_from`
    /// is on or before the period's first day.
    pub async fn scheme_for(&self, first_day: &str) -> Result<Scheme, ServiceError> {
        let mut best = crate::refdata::DEFAULT_SCHEME.clone();
        for s in store::evaluation::schemes(&self.db).await? {
            if s.valid_from.as_str() <= first_day && s.valid_from >= best.valid_from {
                best = crate::refdata::parse_scheme(&s.source).map_err(ServiceError::Other)?;
            }
        }
        Ok(best)
    }

    /// Imports a new scheme version (operator). Versions are never replaced.
    pub async fn import_scheme(&self, actor: &Actor, text: &str) -> Result<Scheme, ServiceError> {
        if actor.principal.is_some() {
            return Err(ServiceError::Forbidden);
        }
        let scheme = crate::refdata::parse_scheme(text).map_err(|e| invalid("scheme", format!("{e:#}")))?;
        let stored = store::evaluation::StoredScheme {
            version: scheme.version.clone(),
            valid_from: scheme.valid_from.clone(),
            source: text.to_owned(),
        };
        let mut tx = self.db.begin().await?;
        store::evaluation::import_scheme(&mut tx, &stored, &actor.name, self.now_ms()).await.map_err(|e| match e {
            store::StoreError::Duplicate(_) => {
                invalid("version", "this scheme version exists already; give a new version")
            }
            other => other.into(),
        })?;
        self.audit(
            &mut tx,
            actor,
            None,
            "scheme.import",
            ("evaluation_scheme", &scheme.version),
            "ok",
            json!({"valid_from": scheme.valid_from}),
        )
        .await?;
        tx.commit().await?;
        Ok(scheme)
    }

    fn may_evaluate(&self, actor: &Actor, parent: &str) -> Result<(), ServiceError> {
        match &actor.principal {
            None => Ok(()),
            Some(p) if p.can(Permission::Evaluate) && p.governs(parent) => {
                // The province ranks its cities; a city office its counties.
                let own = p.region.as_str() == parent;
                if own && matches!(p.role, Role::ProvinceEvaluator | Role::CityOffice) {
                    Ok(())
                } else {
                    Err(ServiceError::Forbidden)
                }
            }
            Some(p) if p.can(Permission::Evaluate) => Err(ServiceError::NotFound),
            Some(_) => Err(ServiceError::Forbidden),
        }
    }

    /// The figures of each sub-region of `parent` for a quarter, by region code.
    async fn quarter_figures(
        &self,
        parent: &str,
        quarter: Quarter,
    ) -> Result<BTreeMap<String, store::figures::RegionFigures>, ServiceError> {
        let period = Period { from: quarter.first_day(), to: quarter.last_day() };
        Ok(self.figures_by_child(parent, &period, &[]).await?.1.into_iter().collect())
    }

    /// The inputs of each sub-region of `parent` (its children) from the figures of a quarter
    /// and of the quarter before it (for `prev_accidents`, `prev_deaths`).
    fn inputs(
        parent: &str,
        now: &BTreeMap<String, store::figures::RegionFigures>,
        prev: &BTreeMap<String, store::figures::RegionFigures>,
    ) -> Vec<(String, BTreeMap<String, f64>)> {
        crate::refdata::REGIONS
            .iter()
            .filter(|r| r.parent.as_ref().is_some_and(|x| x.as_str() == parent))
            .map(|r| {
                let code = r.code.to_string();
                let f = now.get(&code).copied().unwrap_or_default();
                let p = prev.get(&code).copied().unwrap_or_default();
                let mut vars: BTreeMap<String, f64> = match serde_json::to_value(f) {
                    Ok(serde_json::Value::Object(m)) => {
                        m.into_iter().filter_map(|(k, v)| v.as_f64().map(|x| (k, x))).collect()
                    }
                    _ => BTreeMap::new(),
                };
                vars.insert("prev_accidents".into(), p.accidents as f64);
                vars.insert("prev_deaths".into(), p.deaths as f64);
                (code, vars)
            })
            .collect()
    }

    /// The ranks of the previous quarter: as published, if it was (the change is measured
    /// against the ranking that was announced), else computed now from its figures.
    async fn previous_ranks(
        &self,
        parent: &str,
        prev_q: Quarter,
        prev: &BTreeMap<String, store::figures::RegionFigures>,
    ) -> Result<BTreeMap<String, usize>, ServiceError> {
        if let Some(p) = store::evaluation::published(&self.db, parent, &prev_q.label()).await? {
            let run: Run = serde_json::from_str(&p.result).map_err(|e| ServiceError::Other(e.into()))?;
            return Ok(run.rows.into_iter().map(|r| (r.result.region, r.result.rank)).collect());
        }
        let before = self.quarter_figures(parent, prev_q.prev()).await?;
        let prev_scheme = self.scheme_for(&prev_q.first_day().to_string()).await?;
        Ok(evaluate(&prev_scheme, &Self::inputs(parent, prev, &before))
            .into_iter()
            .map(|r| (r.region, r.rank))
            .collect())
    }

    async fn compute(&self, parent: &str, quarter: Quarter) -> Result<(Run, Scheme), ServiceError> {
        let scheme = self.scheme_for(&quarter.first_day().to_string()).await?;
        // This quarter's figures and the previous one's (its accidents and deaths for the change,
        // and its ranking unless that was published).
        let prev_q = quarter.prev();
        let (now, prev) = (self.quarter_figures(parent, quarter).await?, self.quarter_figures(parent, prev_q).await?);
        let inputs = Self::inputs(parent, &now, &prev);
        let results = evaluate(&scheme, &inputs);
        let prev = self.previous_ranks(parent, prev_q, &prev).await?;
        let digest = hex::encode(domain::draw::sha256(
            serde_json::to_string(
                &json!({"scheme": scheme.version, "period": quarter.label(), "parent": parent, "inputs": inputs}),
            )
            .unwrap_or_default()
            .as_bytes(),
        ));
        let rows = results
            .into_iter()
            .map(|result| {
                let previous_rank = prev.get(&result.region).copied();
                RunRow {
                    name: crate::refdata::REGION_BY_CODE
                        .get(&result.region)
                        .map(|r| r.name_zh.clone())
                        .unwrap_or_default(),
                    change: previous_rank.map(|p| p as i64 - result.rank as i64),
                    previous_rank,
                    result,
                }
            })
            .collect();
        Ok((
            Run {
                parent: parent.to_owned(),
                period: quarter.label(),
                scheme_version: scheme.version.clone(),
                inputs_digest: digest,
                rows,
            },
            scheme,
        ))
    }

    /// The run of `parent`'s sub-regions for `quarter`: the published one if it exists (with
    /// what changed since), else computed now.
    pub async fn evaluation(&self, actor: &Actor, parent: &str, quarter: Quarter) -> Result<RunView, ServiceError> {
        self.may_evaluate(actor, parent)?;
        let (computed, scheme) = self.compute(parent, quarter).await?;
        match store::evaluation::published(&self.db, parent, &quarter.label()).await? {
            None => Ok(RunView { run: computed, published: None, changed_since: vec![], scheme }),
            Some(p) => {
                let run: Run = serde_json::from_str(&p.result).map_err(|e| ServiceError::Other(e.into()))?;
                let changed_since = if p.inputs_digest == computed.inputs_digest {
                    vec![]
                } else {
                    run.rows
                        .iter()
                        .filter(|r| {
                            computed
                                .rows
                                .iter()
                                .find(|c| c.result.region == r.result.region)
                                .is_none_or(|c| c.result.total != r.result.total)
                        })
                        .map(|r| r.result.region.clone())
                        .collect()
                };
                Ok(RunView { run, published: Some((p.published_by, p.published_at)), changed_since, scheme })
            }
        }
    }

    /// Publishes the run computed now; refused if the period is already published.
    pub async fn publish_evaluation(
        &self,
        actor: &Actor,
        parent: &str,
        quarter: Quarter,
    ) -> Result<RunView, ServiceError> {
        self.may_evaluate(actor, parent)?;
        let (run, _) = self.compute(parent, quarter).await?;
        let stored = store::evaluation::PublishedRun {
            region_code: parent.to_owned(),
            period: run.period.clone(),
            scheme_version: run.scheme_version.clone(),
            inputs_digest: run.inputs_digest.clone(),
            result: serde_json::to_string(&run).map_err(|e| ServiceError::Other(e.into()))?,
            published_by: actor.name.clone(),
            published_at: self.now_ms(),
        };
        let mut tx = self.db.begin().await?;
        store::evaluation::publish(&mut tx, &stored).await.map_err(|e| match e {
            store::StoreError::Duplicate(_) => {
                ServiceError::Conflict(format!("{} is already published; it stays as published", run.period))
            }
            other => other.into(),
        })?;
        let detail = json!({"period": run.period, "scheme": run.scheme_version, "inputs_digest": run.inputs_digest});
        self.audit(
            &mut tx,
            actor,
            Some(parent),
            "evaluation.publish",
            ("evaluation_run", &format!("{parent}/{}", run.period)),
            "ok",
            detail,
        )
        .await?;
        tx.commit().await?;
        self.evaluation(actor, parent, quarter).await
    }
}
