//! What the failure notice may say about the customer's money.
//!
//! The Notification service owns no ledger and must not read Payment's: the fact reaches it with
//! the request. In orchestration the orchestrator states it from its durable log (which
//! compensations it heard done, and what the refund's reply said it did: money went back, or
//! there was no charge to refund); in choreography it comes from the payment events published for
//! the saga. Either way the notice claims no more than its source knows.

use super::definition::{Operation, SagaDefinition};
use super::message::{Body, EventName, Message, MessageState, Node, SagaId, Task, TaskResult};
use super::orchestration::{Heard, LogEntry, LogRecord, OrchestratorState};
use super::sim::Simulation;
use super::tables::MoneyFact;

/// What one charge step's history says, as a source sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct ChargeSeen {
    /// The charge is known to have taken effect.
    charged: bool,
    /// The charge may have taken effect (its outcome was never learned).
    maybe_charged: bool,
    /// Its refund is known to be done.
    refunded: bool,
    /// What the refund's reply said it did: `Some(true)` money went back, `Some(false)` there
    /// was no charge to refund (and the refund's tombstone stops any later one).
    refund_changed: Option<bool>,
}

impl ChargeSeen {
    fn fact(self, amount_cents: u64) -> Option<MoneyFact> {
        match self {
            // The payment service said what its refund did: the notice says it plainly.
            ChargeSeen {
                refunded: true,
                refund_changed: Some(true),
                ..
            } => Some(MoneyFact::Refunded { amount_cents }),
            ChargeSeen {
                refunded: true,
                refund_changed: Some(false),
                charged: false,
                ..
            } => Some(MoneyFact::NothingCharged),
            // The refund found nothing to undo, yet the charge was heard done: it took effect
            // after its refund (a late charge nothing stopped), so the money is not back.
            ChargeSeen {
                refunded: true,
                refund_changed: Some(false),
                charged: true,
                ..
            } => None,
            ChargeSeen {
                refunded: true,
                charged: true,
                ..
            } => Some(MoneyFact::Refunded { amount_cents }),
            ChargeSeen { refunded: true, .. } => {
                Some(MoneyFact::RefundedIfCharged { amount_cents })
            }
            ChargeSeen {
                charged: false,
                maybe_charged: false,
                ..
            } => Some(MoneyFact::NothingCharged),
            // Charged (or maybe) and not known to be refunded: the notice makes no claim.
            _ => None,
        }
    }
}

/// The steps that take money: their action charges, their compensation (if any) refunds.
fn charge_steps(def: &SagaDefinition) -> impl Iterator<Item = (usize, bool)> + '_ {
    def.steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.action == Operation::ChargeCard)
        .map(|(i, s)| (i, s.compensation == Some(Operation::RefundPayment)))
}

/// Combines the charge steps' facts (a definition has one; none means nothing is ever charged).
fn combine(seen: impl Iterator<Item = ChargeSeen>, amount_cents: u64) -> Option<MoneyFact> {
    let mut fact = Some(MoneyFact::NothingCharged);
    for one in seen {
        match (fact, one.fact(amount_cents)) {
            (_, None) | (None, _) => return None,
            (Some(MoneyFact::NothingCharged), later) => fact = later,
            (Some(_), Some(MoneyFact::NothingCharged)) => {}
            (Some(a), Some(b)) if a == b => {}
            // Two charge steps, each refunded: what exactly went back is not one fact.
            _ => return None,
        }
    }
    fact
}

/// The fact the orchestrator states with a failure notice, from its durable log alone.
pub fn from_orchestrator_log(
    log: &[LogEntry],
    saga: SagaId,
    def: &SagaDefinition,
    amount_cents: u64,
) -> Option<MoneyFact> {
    let memory = OrchestratorState::replay(log);
    let known = memory.get(&saga);
    let seen = charge_steps(def).map(|(step, refundable)| {
        let refunded = refundable
            && log.iter().any(|e| {
                e.saga == saga
                    && matches!(
                        e.record,
                        LogRecord::Heard {
                            task: Task::Compensate(s),
                            heard: Heard::Reply(TaskResult::Done),
                            ..
                        } if s == step
                    )
            });
        let refund_changed = log.iter().rev().find_map(|e| match e.record {
            LogRecord::UndoReported { step: s, changed } if e.saga == saga && s == step => {
                Some(changed)
            }
            _ => None,
        });
        ChargeSeen {
            charged: known.is_some_and(|m| m.done.contains(&step)),
            maybe_charged: known
                .is_some_and(|m| m.unknown.contains(&step) || m.sent.contains(&step)),
            refunded,
            refund_changed: refund_changed.filter(|_| refunded),
        }
    });
    combine(seen, amount_cents)
}

/// The fact the payment events published for a saga tell: the charge's "done" event and its
/// compensation's event, as they reached the bus.
pub fn from_published_events(
    messages: &[Message],
    saga: SagaId,
    def: &SagaDefinition,
    amount_cents: u64,
) -> Option<MoneyFact> {
    let published: Vec<EventName> = messages
        .iter()
        .filter(|m| m.saga == saga && m.to == Node::Bus && m.state == MessageState::Handled)
        .filter_map(|m| match m.body {
            Body::Event { name } => Some(name),
            _ => None,
        })
        .collect();
    let seen = charge_steps(def).map(|(step, refundable)| ChargeSeen {
        charged: published.contains(&EventName::StepDone(step)),
        maybe_charged: false,
        refunded: refundable && published.contains(&EventName::Compensated(step)),
        refund_changed: None,
    });
    combine(seen, amount_cents)
}

impl Simulation {
    fn amount_cents(&self, saga: SagaId) -> u64 {
        self.sagas
            .get(saga)
            .map(|r| r.spec.amount_cents)
            .unwrap_or_default()
    }

    /// Orchestration: what the failure notice command carries about the money.
    pub(crate) fn notice_money_from_orchestrator(&self, saga: SagaId) -> Option<MoneyFact> {
        from_orchestrator_log(
            &self.orchestrator.log,
            saga,
            &self.scenario.definition,
            self.amount_cents(saga),
        )
    }

    /// Choreography: what the notifier knows about the money when the notice chain reaches it.
    ///
    /// It reads the saga's payment events as the bus carried them (never Payment's ledger); once
    /// the payment's events fan out to the notifier's own queue, its own record of them takes
    /// this place.
    pub(crate) fn notice_money_from_events(&self, saga: SagaId) -> Option<MoneyFact> {
        from_published_events(
            &self.messages,
            saga,
            &self.scenario.definition,
            self.amount_cents(saga),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::orchestration::Phase;

    fn heard(saga: SagaId, task: Task, heard: Heard) -> LogEntry {
        LogEntry {
            at_ms: 0,
            saga,
            record: LogRecord::Heard {
                task,
                attempt: 1,
                heard,
            },
        }
    }

    fn started(saga: SagaId) -> Vec<LogEntry> {
        vec![
            LogEntry {
                at_ms: 0,
                saga,
                record: LogRecord::Started,
            },
            LogEntry {
                at_ms: 0,
                saga,
                record: LogRecord::Decided {
                    phase: Phase::Forward(0),
                },
            },
        ]
    }

    const DONE: Heard = Heard::Reply(TaskResult::Done);

    #[test]
    fn a_declined_charge_is_nothing_charged() {
        let def = SagaDefinition::restaurant();
        let mut log = started(0);
        log.push(heard(0, Task::Action(0), DONE));
        log.push(heard(
            0,
            Task::Action(1),
            Heard::Reply(TaskResult::BusinessFailure),
        ));
        log.push(heard(0, Task::Compensate(0), DONE));
        assert_eq!(
            from_orchestrator_log(&log, 0, &def, 4_000),
            Some(MoneyFact::NothingCharged)
        );
    }

    #[test]
    fn a_charge_heard_done_and_undone_is_refunded() {
        let def = SagaDefinition::restaurant();
        let mut log = started(0);
        for step in 0..3 {
            log.push(heard(0, Task::Action(step), DONE));
        }
        log.push(heard(0, Task::Compensate(2), DONE));
        log.push(heard(0, Task::Compensate(1), DONE));
        assert_eq!(
            from_orchestrator_log(&log, 0, &def, 4_000),
            Some(MoneyFact::Refunded {
                amount_cents: 4_000
            })
        );
        // Another saga's history says nothing about this one.
        assert_eq!(
            from_orchestrator_log(&log, 1, &def, 4_000),
            Some(MoneyFact::NothingCharged)
        );
    }

    fn undo(saga: SagaId, step: usize, changed: bool) -> LogEntry {
        LogEntry {
            at_ms: 0,
            saga,
            record: LogRecord::UndoReported { step, changed },
        }
    }

    #[test]
    fn the_refunds_report_makes_the_fact_definite() {
        let def = SagaDefinition::restaurant();
        for (changed, fact) in [
            (
                true,
                MoneyFact::Refunded {
                    amount_cents: 4_000,
                },
            ),
            (false, MoneyFact::NothingCharged),
        ] {
            let mut log = started(0);
            log.push(heard(0, Task::Action(0), DONE));
            log.push(heard(0, Task::Action(1), Heard::TimedOut));
            log.push(undo(0, 1, changed));
            log.push(heard(0, Task::Compensate(1), DONE));
            assert_eq!(from_orchestrator_log(&log, 0, &def, 4_000), Some(fact));
        }
    }

    #[test]
    fn a_charge_never_heard_of_is_refunded_only_if_it_happened() {
        let def = SagaDefinition::restaurant();
        let mut log = started(0);
        log.push(heard(0, Task::Action(0), DONE));
        log.push(heard(0, Task::Action(1), Heard::TimedOut));
        assert_eq!(from_orchestrator_log(&log, 0, &def, 4_000), None);
        log.push(heard(0, Task::Compensate(1), DONE));
        assert_eq!(
            from_orchestrator_log(&log, 0, &def, 4_000),
            Some(MoneyFact::RefundedIfCharged {
                amount_cents: 4_000
            })
        );
    }
}
