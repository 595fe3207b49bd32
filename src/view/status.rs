//! Statuses as the page tells them: by text, icon and shape as well as colour.

use crate::engine::definition::{SagaDefinition, ServiceId, StepKind};
use crate::engine::event::Outcome;
use crate::engine::sim::{SagaRecord, StepStatus};

/// The steps (0-based) a service runs, in order.
pub fn steps_of(def: &SagaDefinition, service: ServiceId) -> Vec<usize> {
    def.steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.service() == service)
        .map(|(i, _)| i)
        .collect()
}

fn is_active(status: StepStatus) -> bool {
    matches!(
        status,
        StepStatus::Running | StepStatus::Retrying | StepStatus::Compensating
    )
}

/// The status a service node shows for a saga: the latest of its tasks that is under way, else
/// the latest that has begun, else idle. The failure notice counts as the service's last task.
pub fn service_status(record: &SagaRecord, def: &SagaDefinition, service: ServiceId) -> StepStatus {
    let mut statuses: Vec<StepStatus> = steps_of(def, service)
        .into_iter()
        .filter_map(|i| record.steps.get(i).map(|s| s.status))
        .collect();
    if def.failure_notice.service() == service {
        statuses.push(record.notice.status);
    }
    statuses
        .iter()
        .rev()
        .find(|s| is_active(**s))
        .or_else(|| statuses.iter().rev().find(|s| **s != StepStatus::Idle))
        .copied()
        .unwrap_or_default()
}

/// The icon of a status.
pub fn status_icon(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Idle => "○",
        StepStatus::Running => "▶",
        StepStatus::Retrying => "↻",
        StepStatus::Succeeded => "✓",
        StepStatus::Failed => "✗",
        StepStatus::Compensating => "↶",
        StepStatus::Compensated => "↩",
    }
}

/// A one-letter badge and the name of a step kind.
pub fn kind_badge(kind: StepKind) -> (&'static str, &'static str) {
    match kind {
        StepKind::Compensatable => ("C", "compensatable"),
        StepKind::Pivot => ("P", "pivot"),
        StepKind::Retriable => ("R", "retriable"),
    }
}

/// What a step kind means, in one line.
pub fn kind_meaning(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Compensatable => "compensatable: can be undone by a compensating action",
        StepKind::Pivot => "pivot: the go/no-go point; once it succeeds the saga must complete",
        StepKind::Retriable => "retriable: after the pivot, retried until it succeeds (or a person takes over), never undone",
    }
}

/// An icon, a title and an explanation for an outcome.
pub fn outcome_text(outcome: Outcome) -> (&'static str, &'static str, &'static str) {
    match outcome {
        Outcome::Running => ("▸", "Running", "The saga is still under way."),
        Outcome::Completed => (
            "✓",
            "Completed",
            "Every step took effect: the table is reserved, paid for, and everyone knows.",
        ),
        Outcome::Compensated => (
            "↩",
            "Compensated",
            "The completed steps were undone in reverse order and both parties were told.",
        ),
        Outcome::RollbackIncomplete => (
            "⚠",
            "Rollback incomplete",
            "A compensation could not be done: the saga waits in the manual-intervention queue.",
        ),
        Outcome::AwaitingPerson => (
            "⚑",
            "Awaiting a person",
            "The saga may not go back and cannot go on by itself: it waits in the manual-intervention queue.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::SagaSpec;
    use crate::engine::sim::StepState;

    fn record(statuses: [StepStatus; 5], notice: StepStatus) -> SagaRecord {
        SagaRecord {
            id: 0,
            spec: SagaSpec::new("Ada", "Fri"),
            started: true,
            outcome: Outcome::Running,
            steps: statuses
                .iter()
                .map(|&status| StepState {
                    status,
                    ..StepState::default()
                })
                .collect(),
            notice: StepState {
                status: notice,
                ..StepState::default()
            },
            cancel_requested: false,
            cancelling: false,
            stuck: None,
            stuck_reason: None,
            ended_ms: None,
        }
    }

    use StepStatus::*;

    #[test]
    fn reservation_runs_steps_one_and_four() {
        let def = SagaDefinition::restaurant();
        assert_eq!(steps_of(&def, ServiceId::Reservation), vec![0, 3]);
        assert_eq!(steps_of(&def, ServiceId::Notification), vec![4]);
    }

    #[test]
    fn a_service_shows_its_latest_step_that_began() {
        let def = SagaDefinition::restaurant();
        let r = record([Succeeded, Succeeded, Succeeded, Running, Idle], Idle);
        assert_eq!(service_status(&r, &def, ServiceId::Reservation), Running);
        let r = record([Succeeded, Idle, Idle, Idle, Idle], Idle);
        assert_eq!(service_status(&r, &def, ServiceId::Reservation), Succeeded);
        assert_eq!(service_status(&r, &def, ServiceId::Payment), Idle);
    }

    #[test]
    fn work_under_way_wins_over_a_later_finished_step() {
        let def = SagaDefinition::restaurant();
        let r = record([Compensating, Succeeded, Compensated, Failed, Idle], Idle);
        assert_eq!(
            service_status(&r, &def, ServiceId::Reservation),
            Compensating
        );
        let r = record([Compensated, Compensated, Compensated, Failed, Idle], Idle);
        assert_eq!(service_status(&r, &def, ServiceId::Reservation), Failed);
    }

    #[test]
    fn the_failure_notice_counts_for_notification() {
        let def = SagaDefinition::restaurant();
        let r = record([Compensated, Failed, Idle, Idle, Idle], Running);
        assert_eq!(service_status(&r, &def, ServiceId::Notification), Running);
        assert_eq!(service_status(&r, &def, ServiceId::Payment), Failed);
    }

    #[test]
    fn every_status_has_a_distinct_icon() {
        let all = [
            Idle,
            Running,
            Retrying,
            Succeeded,
            Failed,
            Compensating,
            Compensated,
        ];
        let mut icons: Vec<&str> = all.iter().map(|s| status_icon(*s)).collect();
        icons.sort_unstable();
        icons.dedup();
        assert_eq!(icons.len(), all.len());
    }

    #[test]
    fn kinds_have_badges() {
        assert_eq!(kind_badge(StepKind::Pivot).1, "pivot");
        assert!(kind_meaning(StepKind::Retriable).contains("retried"));
        assert_eq!(outcome_text(Outcome::Compensated).1, "Compensated");
    }
}
