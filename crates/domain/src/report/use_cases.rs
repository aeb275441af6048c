//! The use cases of quarterly summaries: build the live summary of a quarter,
//! a series of headline counts, and freeze, list and fetch snapshots.

use super::{QuarterlyReport, ReportOptions, TrendPoint, build_report};
use crate::actor::Context;
use crate::audit::{AuditEntry, AuditLog};
use crate::quarter::{Quarter, YearKind};
use crate::repository::{ReportRepository, Snapshot, StorageError, WriteError};
use crate::taxonomy::Taxonomy;
use futures_util::future::{try_join_all, try_join3, try_join4};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use uuid::Uuid;

/// Quarters a trend chart shows, ending with the reported one.
pub const TREND_QUARTERS: usize = 8;

/// Why a report use case failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Only a quarter that is over may be frozen.
    #[error("{quarter} ends at {ends_at}; only ended quarters can be frozen", ends_at = crate::timestamp::format(&.quarter.end()))]
    QuarterNotEnded { quarter: Quarter },
    #[error("no snapshot with this id for this quarter")]
    SnapshotNotFound,
    /// A summary could not be written as, or read back from, JSON.
    #[error("the summary's JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Matrix cells with fewer submissions than this are gaps: 0 to 1,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GapThreshold(u64);

/// A gap threshold that is not a whole number from 0 to 1,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be a whole number from 0 to {}", GapThreshold::MAX)]
pub struct InvalidGapThreshold;

impl GapThreshold {
    pub const MAX: u64 = 1_000_000;

    pub fn new(value: u64) -> Result<Self, InvalidGapThreshold> {
        (value <= Self::MAX)
            .then_some(Self(value))
            .ok_or(InvalidGapThreshold)
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl Default for GapThreshold {
    /// Only empty cells are gaps.
    fn default() -> Self {
        Self(1)
    }
}

/// The quarters of a series: `from` to `to` inclusive, of one kind of year,
/// at most 40 quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuarterRange {
    from: Quarter,
    to: Quarter,
}

/// Why two quarters do not make a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuarterRangeError {
    #[error("use calendar quarters for both, or financial quarters for both")]
    MismatchedYear,
    #[error("must be at or after from, and at most 40 quarters later")]
    OutOfRange,
}

impl QuarterRange {
    /// Quarters a series may span.
    pub const MAX_QUARTERS: i64 = 40;

    pub fn new(from: Quarter, to: Quarter) -> Result<Self, QuarterRangeError> {
        if from.kind() != to.kind() {
            return Err(QuarterRangeError::MismatchedYear);
        }
        let index = |q: Quarter| i64::from(q.year()) * 4 + i64::from(q.number());
        if !(0..Self::MAX_QUARTERS).contains(&(index(to) - index(from))) {
            return Err(QuarterRangeError::OutOfRange);
        }
        Ok(Self { from, to })
    }

    pub fn from(self) -> Quarter {
        self.from
    }

    pub fn to(self) -> Quarter {
        self.to
    }

    pub fn kind(self) -> YearKind {
        self.from.kind()
    }

    /// Every quarter of the range, oldest first.
    pub fn quarters(self) -> Vec<Quarter> {
        let mut quarters = vec![self.from];
        while quarters[quarters.len() - 1] != self.to {
            quarters.push(quarters[quarters.len() - 1].next());
        }
        quarters
    }
}

/// The quarters a summary reads: the reported one, the previous quarter, the
/// same quarter a year before, and the quarters of its trend, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparedQuarters {
    pub quarter: Quarter,
    pub previous: Quarter,
    pub year_before: Quarter,
    pub trend: Vec<Quarter>,
}

impl ComparedQuarters {
    pub fn of(quarter: Quarter) -> Self {
        let mut trend = vec![quarter];
        while trend.len() < TREND_QUARTERS {
            trend.push(trend[trend.len() - 1].previous());
        }
        trend.reverse();
        Self {
            quarter,
            previous: quarter.previous(),
            year_before: quarter.same_quarter_last_year(),
            trend,
        }
    }

    /// Trend quarters whose headline is not already read with full figures.
    pub fn headline_only(&self) -> impl Iterator<Item = Quarter> + '_ {
        self.trend
            .iter()
            .copied()
            .filter(|q| ![self.quarter, self.previous, self.year_before].contains(q))
    }
}

/// The live summary of a quarter and the latest snapshot frozen of it.
#[derive(Debug, Clone)]
pub struct LiveSummary {
    pub report: QuarterlyReport,
    /// The newest snapshot and the summary it froze.
    pub latest_snapshot: Option<(Snapshot, QuarterlyReport)>,
}

/// Builds quarterly summaries and keeps their snapshots.
#[derive(Clone)]
pub struct ReportService {
    reports: Arc<dyn ReportRepository>,
    taxonomy: Arc<Taxonomy>,
    audit: AuditLog,
}

impl ReportService {
    pub fn new(
        reports: Arc<dyn ReportRepository>,
        taxonomy: Arc<Taxonomy>,
        audit: AuditLog,
    ) -> Self {
        Self {
            reports,
            taxonomy,
            audit,
        }
    }

    /// The summary of `quarter` as the data stands at `ctx.now`.
    pub async fn build_summary(
        &self,
        ctx: &Context,
        quarter: Quarter,
        gap_threshold: GapThreshold,
    ) -> Result<QuarterlyReport, ReportError> {
        let compared = ComparedQuarters::of(quarter);
        let reports = &self.reports;
        let (now, before, last_year, headlines) = try_join4(
            reports.figures(compared.quarter),
            reports.comparison_figures(compared.previous),
            reports.comparison_figures(compared.year_before),
            try_join_all(
                compared
                    .headline_only()
                    .map(|q| async move { reports.headline(q).await.map(|h| (q, h)) }),
            ),
        )
        .await?;
        let trend = compared
            .trend
            .iter()
            .map(|q| {
                let headline = match *q {
                    q if q == compared.quarter => now.headline(),
                    q if q == compared.previous => before.headline(),
                    q if q == compared.year_before => last_year.headline(),
                    q => headlines
                        .iter()
                        .find(|(h, _)| *h == q)
                        .map(|(_, h)| h.clone())
                        .unwrap_or_default(),
                };
                TrendPoint::new(q, &headline)
            })
            .collect();
        let options = ReportOptions {
            gap_threshold: gap_threshold.get(),
            generated_at: crate::timestamp::format(&ctx.now),
        };
        let mut report = build_report(
            quarter,
            [&now, &before, &last_year],
            trend,
            &self.taxonomy,
            &options,
        );
        let (measured, measured_before, measured_last_year) = try_join3(
            reports.strategy_figures(compared.quarter),
            reports.strategy_figures(compared.previous),
            reports.strategy_figures(compared.year_before),
        )
        .await?;
        report.strategy_measures = super::strategy_measures(
            [&measured, &measured_before, &measured_last_year],
            &self.taxonomy,
        );
        Ok(report)
    }

    /// The live summary, with the latest snapshot to compare it against,
    /// exported as `format` (the audit log says who took which quarter how).
    pub async fn live_summary(
        &self,
        ctx: &Context,
        quarter: Quarter,
        gap_threshold: GapThreshold,
        format: &str,
    ) -> Result<LiveSummary, ReportError> {
        let report = self.build_summary(ctx, quarter, gap_threshold).await?;
        let latest = self.snapshots(ctx, quarter).await?.into_iter().next();
        let latest_snapshot = match latest {
            Some(snapshot) => {
                let frozen = frozen_report(&snapshot)?;
                Some((snapshot, frozen))
            }
            None => None,
        };
        self.audit
            .record(
                AuditEntry::new("report_exported", Some(ctx.actor.id))
                    .details(serde_json::json!({"quarter": quarter.to_string(), "format": format}))
                    .request(ctx.request_id.clone()),
            )
            .await;
        Ok(LiveSummary {
            report,
            latest_snapshot,
        })
    }

    /// Headline counts for each quarter of `range`, oldest first.
    pub async fn series(
        &self,
        _ctx: &Context,
        range: QuarterRange,
    ) -> Result<Vec<TrendPoint>, ReportError> {
        let mut points = Vec::new();
        for quarter in range.quarters() {
            points.push(TrendPoint::new(
                &quarter,
                &self.reports.headline(quarter).await?,
            ));
        }
        Ok(points)
    }

    /// Freezes the summary of an ended quarter, so what went to Council can be
    /// reproduced byte for byte however the data changes later.
    pub async fn freeze_snapshot(
        &self,
        ctx: &Context,
        quarter: Quarter,
        gap_threshold: GapThreshold,
    ) -> Result<Snapshot, ReportError> {
        self.ensure_can_freeze(ctx, quarter)?;
        let report = self.build_summary(ctx, quarter, gap_threshold).await?;
        // Kept as served: JSON answers end with a newline, and the hash covers
        // exactly the bytes a download gets.
        let mut body = serde_json::to_string(&report)?;
        body.push('\n');
        let snapshot = Snapshot {
            id: Uuid::now_v7(),
            quarter: quarter.to_string(),
            created_at: ctx.now,
            created_by: Some(ctx.actor.id),
            content_hash: hex::encode(Sha256::digest(body.as_bytes())),
            body,
        };
        let audit = AuditEntry::new("report_snapshot_created", Some(ctx.actor.id))
            .target("snapshot", snapshot.id)
            .details(serde_json::json!({"quarter": snapshot.quarter}))
            .request(ctx.request_id.clone());
        self.reports.save_snapshot(&snapshot, &audit).await?;
        Ok(snapshot)
    }

    /// Only a quarter that has ended may be frozen.
    pub fn ensure_can_freeze(&self, ctx: &Context, quarter: Quarter) -> Result<(), ReportError> {
        if quarter.has_ended(ctx.now) {
            Ok(())
        } else {
            Err(ReportError::QuarterNotEnded { quarter })
        }
    }

    /// A quarter's snapshots, newest first.
    pub async fn snapshots(
        &self,
        _ctx: &Context,
        quarter: Quarter,
    ) -> Result<Vec<Snapshot>, ReportError> {
        Ok(self.reports.snapshots(&quarter.to_string()).await?)
    }

    /// One snapshot of `quarter`.
    pub async fn snapshot(
        &self,
        _ctx: &Context,
        quarter: Quarter,
        id: Uuid,
    ) -> Result<Snapshot, ReportError> {
        self.reports
            .snapshot(id)
            .await?
            .filter(|s| s.quarter == quarter.to_string())
            .ok_or(ReportError::SnapshotNotFound)
    }
}

/// The summary a snapshot froze.
pub fn frozen_report(snapshot: &Snapshot) -> Result<QuarterlyReport, ReportError> {
    Ok(serde_json::from_str(&snapshot.body)?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::actor::Actor;
    use crate::audit::fakes::MemoryAudit;
    use crate::ids::MemberId;
    use crate::member::Role;
    use crate::report::{QuarterFigures, QuarterHeadline};
    use async_trait::async_trait;
    use chrono::{DateTime, TimeZone, Utc};
    use std::sync::Mutex;

    /// Counts quarters' reads and keeps snapshots in memory.
    #[derive(Default)]
    struct FakeReports {
        reads: Mutex<Vec<(&'static str, String)>>,
        snapshots: Mutex<Vec<Snapshot>>,
    }

    impl FakeReports {
        fn read(&self, what: &'static str, quarter: Quarter) -> QuarterFigures {
            self.reads.lock().unwrap().push((what, quarter.to_string()));
            QuarterFigures {
                total: i64::from(quarter.number()),
                ..QuarterFigures::default()
            }
        }
    }

    #[async_trait]
    impl ReportRepository for FakeReports {
        async fn figures(&self, quarter: Quarter) -> Result<QuarterFigures, StorageError> {
            Ok(self.read("figures", quarter))
        }
        async fn comparison_figures(
            &self,
            quarter: Quarter,
        ) -> Result<QuarterFigures, StorageError> {
            Ok(self.read("comparison", quarter))
        }
        async fn headline(&self, quarter: Quarter) -> Result<QuarterHeadline, StorageError> {
            Ok(self.read("headline", quarter).headline())
        }
        async fn strategy_figures(
            &self,
            _quarter: Quarter,
        ) -> Result<crate::report::StrategyFigures, StorageError> {
            Ok(crate::report::StrategyFigures::default())
        }
        async fn save_snapshot(
            &self,
            snapshot: &Snapshot,
            _: &AuditEntry,
        ) -> Result<(), WriteError> {
            self.snapshots.lock().unwrap().insert(0, snapshot.clone());
            Ok(())
        }
        async fn snapshots(&self, quarter: &str) -> Result<Vec<Snapshot>, StorageError> {
            let all = self.snapshots.lock().unwrap();
            Ok(all
                .iter()
                .filter(|s| s.quarter == quarter)
                .cloned()
                .collect())
        }
        async fn snapshot(&self, id: Uuid) -> Result<Option<Snapshot>, StorageError> {
            let all = self.snapshots.lock().unwrap();
            Ok(all.iter().find(|s| s.id == id).cloned())
        }
    }

    fn q(raw: &str) -> Quarter {
        raw.parse().unwrap()
    }

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 9, 30, 0).single().unwrap()
    }

    fn admin_at(now: DateTime<Utc>) -> Context {
        Context {
            actor: Actor::new(MemberId(Uuid::from_u128(7)), Role::Admin),
            request_id: None,
            now,
        }
    }

    fn service() -> (ReportService, Arc<FakeReports>) {
        let reports = Arc::new(FakeReports::default());
        let service = ReportService::new(
            reports.clone(),
            Arc::new(Taxonomy::reference()),
            AuditLog::new(Arc::new(MemoryAudit::default())),
        );
        (service, reports)
    }

    #[test]
    fn a_summary_compares_the_previous_quarter_and_the_same_quarter_last_year() {
        let compared = ComparedQuarters::of(q("2025-Q1"));
        assert_eq!(compared.previous, q("2024-Q4"));
        assert_eq!(compared.year_before, q("2024-Q1"));
        let trend: Vec<String> = compared.trend.iter().map(Quarter::to_string).collect();
        assert_eq!(
            trend,
            [
                "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4",
                "2025-Q1"
            ]
        );
        assert_eq!(compared.headline_only().count(), TREND_QUARTERS - 3);
        let financial = ComparedQuarters::of(q("FY2025-Q1"));
        assert_eq!(financial.previous, q("FY2024-Q4"));
        assert_eq!(financial.year_before, q("FY2024-Q1"));
    }

    #[tokio::test]
    async fn a_summary_reads_each_quarter_once_and_people_only_for_the_reported_one() {
        let (service, reports) = service();

        let report = service
            .build_summary(
                &admin_at(at(2025, 5, 2)),
                q("2025-Q1"),
                GapThreshold::default(),
            )
            .await
            .unwrap();

        let reads = reports.reads.lock().unwrap().clone();
        assert_eq!(reads.len(), TREND_QUARTERS);
        assert!(reads.contains(&("figures", "2025-Q1".into())));
        assert!(reads.contains(&("comparison", "2024-Q4".into())));
        assert!(reads.contains(&("comparison", "2024-Q1".into())));
        assert_eq!(reads.iter().filter(|(w, _)| *w == "headline").count(), 5);
        assert_eq!(report.generated_at, "2025-05-02T09:30:00.000000Z");
        assert_eq!(report.gap_threshold, 1);
        let trend: Vec<i64> = report
            .priority_trend
            .iter()
            .map(|p| p.submissions)
            .collect();
        assert_eq!(
            trend,
            [2, 3, 4, 1, 2, 3, 4, 1],
            "each quarter's own figures"
        );
    }

    #[tokio::test]
    async fn only_an_ended_quarter_can_be_frozen() {
        let (service, reports) = service();
        let quarter = q("2025-Q2");

        let error = service
            .freeze_snapshot(&admin_at(at(2025, 6, 30)), quarter, GapThreshold::default())
            .await
            .unwrap_err();

        assert!(matches!(error, ReportError::QuarterNotEnded { .. }));
        assert_eq!(
            error.to_string(),
            "2025-Q2 ends at 2025-06-30T23:00:00.000000Z; only ended quarters can be frozen"
        );
        assert!(reports.snapshots.lock().unwrap().is_empty());
        assert!(reports.reads.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_snapshot_keeps_the_summary_with_its_hash_author_and_time() {
        let (service, _) = service();
        let ctx = admin_at(at(2025, 7, 1));

        let snapshot = service
            .freeze_snapshot(&ctx, q("2025-Q2"), GapThreshold::new(3).unwrap())
            .await
            .unwrap();

        assert_eq!(snapshot.quarter, "2025-Q2");
        assert_eq!(snapshot.created_by, Some(ctx.actor.id));
        assert_eq!(snapshot.created_at, ctx.now);
        assert_eq!(
            snapshot.content_hash,
            hex::encode(Sha256::digest(snapshot.body.as_bytes()))
        );
        assert_eq!(frozen_report(&snapshot).unwrap().gap_threshold, 3);
        let listed = service.snapshots(&ctx, q("2025-Q2")).await.unwrap();
        assert_eq!(listed, vec![snapshot.clone()]);
        let live = service
            .live_summary(&ctx, q("2025-Q2"), GapThreshold::default(), "json")
            .await
            .unwrap();
        assert_eq!(live.latest_snapshot.map(|(s, _)| s.id), Some(snapshot.id));
    }

    #[tokio::test]
    async fn a_snapshot_is_found_only_under_its_own_quarter() {
        let (service, _) = service();
        let ctx = admin_at(at(2025, 7, 1));
        let snapshot = service
            .freeze_snapshot(&ctx, q("2025-Q2"), GapThreshold::default())
            .await
            .unwrap();

        let found = service.snapshot(&ctx, q("2025-Q2"), snapshot.id).await;
        let elsewhere = service.snapshot(&ctx, q("2025-Q1"), snapshot.id).await;
        let unknown = service.snapshot(&ctx, q("2025-Q2"), Uuid::nil()).await;

        assert_eq!(found.unwrap().id, snapshot.id);
        assert!(matches!(elsewhere, Err(ReportError::SnapshotNotFound)));
        assert!(matches!(unknown, Err(ReportError::SnapshotNotFound)));
    }

    #[tokio::test]
    async fn a_series_has_one_point_per_quarter_oldest_first() {
        let (service, _) = service();
        let range = QuarterRange::new(q("2024-Q3"), q("2025-Q2")).unwrap();

        let points = service
            .series(&admin_at(at(2025, 7, 1)), range)
            .await
            .unwrap();

        let quarters: Vec<&str> = points.iter().map(|p| p.quarter.as_str()).collect();
        assert_eq!(quarters, ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]);
    }

    #[test]
    fn a_series_spans_one_kind_of_year_forwards_for_at_most_forty_quarters() {
        assert_eq!(
            QuarterRange::new(q("2024-Q1"), q("FY2024-Q2")),
            Err(QuarterRangeError::MismatchedYear)
        );
        assert_eq!(
            QuarterRange::new(q("2024-Q2"), q("2024-Q1")),
            Err(QuarterRangeError::OutOfRange)
        );
        assert_eq!(
            QuarterRange::new(q("2015-Q1"), q("2025-Q1")),
            Err(QuarterRangeError::OutOfRange)
        );
        let longest = QuarterRange::new(q("2015-Q2"), q("2025-Q1")).unwrap();
        assert_eq!(longest.quarters().len(), 40);
        assert_eq!(
            QuarterRange::new(q("2025-Q1"), q("2025-Q1"))
                .unwrap()
                .quarters(),
            vec![q("2025-Q1")]
        );
    }

    #[test]
    fn a_gap_threshold_is_at_most_a_million() {
        assert_eq!(GapThreshold::default().get(), 1);
        assert_eq!(GapThreshold::new(1_000_000).unwrap().get(), 1_000_000);
        assert_eq!(GapThreshold::new(1_000_001), Err(InvalidGapThreshold));
    }
}
