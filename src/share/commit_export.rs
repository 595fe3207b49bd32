//! The 2PC / 3PC view's run as files: the run's customers booked as distributed transactions
//! under a protocol and a failure, as a versioned JSON trace (with the protocol, the failure,
//! the scenario and the guarantees the trace breaks) and as a Mermaid `sequenceDiagram`
//! (prepare, votes, decision, with the coordinator's log, the locks, the crash or partition).

use serde::Serialize;

use super::mermaid::escape;
use crate::engine::commit::monitor::{check, CommitViolation};
use crate::engine::commit::{
    commit_run, CommitError, CommitEvent, CommitEventKind, CommitPlan, CommitScenario, Decider,
    LogRecord, Node, Protocol,
};
use crate::engine::definition::ServiceId;
use crate::engine::scenario::Scenario;

/// The version of the commit trace file.
pub const COMMIT_TRACE_VERSION: u32 = 1;

#[derive(Serialize)]
struct CommitTraceFile<'a> {
    version: u32,
    protocol: &'static str,
    plan: &'static str,
    scenario: &'a CommitScenario,
    events: &'a [CommitEvent],
    broken: Vec<CommitViolation>,
}

/// The commit run of `saga`'s customers under `protocol` and `plan`, as a trace file.
pub fn commit_trace_json(
    saga: &Scenario,
    protocol: Protocol,
    plan: CommitPlan,
) -> Result<String, CommitError> {
    let sim = commit_run(saga, protocol, plan)?;
    let file = CommitTraceFile {
        version: COMMIT_TRACE_VERSION,
        protocol: protocol.as_str(),
        plan: plan.as_str(),
        scenario: sim.scenario(),
        events: sim.trace(),
        broken: check(protocol, sim.trace()),
    };
    // Plain data: serialising cannot fail; should it, the file says so rather than panic.
    Ok(serde_json::to_string_pretty(&file).unwrap_or_else(|e| {
        format!(
            "{{\"error\": {}}}",
            serde_json::Value::String(e.to_string())
        )
    }))
}

/// The commit run of `saga`'s customers under `protocol` and `plan`, as a sequence diagram.
pub fn commit_mermaid(
    saga: &Scenario,
    protocol: Protocol,
    plan: CommitPlan,
) -> Result<String, CommitError> {
    let sim = commit_run(saga, protocol, plan)?;
    let mut out = String::from("sequenceDiagram\n    autonumber\n");
    out.push_str("    participant Coordinator\n");
    for s in ServiceId::ALL {
        out.push_str(&format!("    participant {}\n", s.label()));
    }
    let customers: Vec<&str> = sim
        .scenario()
        .requests
        .iter()
        .map(|r| r.customer.as_str())
        .collect();
    out.push_str(&format!(
        "    Note over Coordinator,Notification: {} of {}; failure: {}\n",
        protocol.label(),
        escape(&customers.join(", ")),
        escape(plan.label())
    ));
    for e in sim.trace() {
        let t = e.txn.map_or(String::new(), |t| format!("T{} ", t + 1));
        let line = match &e.kind {
            CommitEventKind::TxMessageDelivered { from, to, say } => {
                Some(format!("{}->>{}: {t}{}", id(*from), id(*to), say.label()))
            }
            CommitEventKind::TxMessageLost { from, to, say } => Some(format!(
                "{}-x{}: {t}{} (lost)",
                id(*from),
                id(*to),
                say.label()
            )),
            CommitEventKind::TxLogged { record } => Some(format!(
                "Note over Coordinator: {t}log {}",
                match record {
                    LogRecord::Begin => "begin",
                    LogRecord::PreCommit => "pre-commit",
                    LogRecord::Decision { commit: true } => "decision: commit",
                    LogRecord::Decision { commit: false } => "decision: abort",
                    LogRecord::End => "end",
                }
            )),
            CommitEventKind::LockWaited {
                participant,
                resource,
                holder,
            } => Some(format!(
                "Note over {}: {t}waits for {} (held by T{})",
                participant.label(),
                escape(resource),
                holder + 1
            )),
            CommitEventKind::LockTaken {
                participant,
                resource,
            } => Some(format!(
                "Note over {}: {t}locks {}",
                participant.label(),
                escape(resource)
            )),
            CommitEventKind::LockReleased {
                participant,
                resource,
            } => Some(format!(
                "Note over {}: {t}releases {}",
                participant.label(),
                escape(resource)
            )),
            CommitEventKind::Decided {
                participant,
                commit,
                by,
            } => Some(format!(
                "Note over {}: {t}{}{}",
                participant.label(),
                if *commit { "committed" } else { "aborted" },
                match by {
                    Decider::Coordinator => String::new(),
                    Decider::Alone => " (alone, before voting yes)".to_string(),
                    Decider::Termination(s) => format!(" (termination run by {})", s.label()),
                }
            )),
            CommitEventKind::TerminationBegun { participant } => Some(format!(
                "Note over {}: {t}timed out: termination protocol",
                participant.label()
            )),
            CommitEventKind::CoordinatorCrashed => {
                Some("Note over Coordinator: crashed".to_string())
            }
            CommitEventKind::CoordinatorRecovered => {
                Some("Note over Coordinator: back, reads its log".to_string())
            }
            CommitEventKind::PartitionBegan { isolated } => {
                let names: Vec<&str> = isolated.iter().map(|s| s.label()).collect();
                Some(format!(
                    "Note over Coordinator,Notification: partition: {} cut off",
                    names.join(" and ")
                ))
            }
            CommitEventKind::PartitionHealed => {
                Some("Note over Coordinator,Notification: partition healed".to_string())
            }
            CommitEventKind::CustomerNotified { committed } => Some(format!(
                "Note over Notification: {t}customer told: {}",
                if *committed { "booked" } else { "not booked" }
            )),
            CommitEventKind::TxMessageSent { .. }
            | CommitEventKind::Voted { .. }
            | CommitEventKind::PreCommitted { .. } => None,
        };
        if let Some(line) = line {
            out.push_str("    ");
            out.push_str(&line);
            out.push('\n');
        }
    }
    for v in check(protocol, sim.trace()) {
        out.push_str(&format!(
            "    Note over Coordinator,Notification: T{} broke {}: {}\n",
            v.txn + 1,
            escape(v.invariant.label()),
            escape(&v.detail)
        ));
    }
    Ok(out)
}

fn id(node: Node) -> &'static str {
    match node {
        Node::Coordinator => "Coordinator",
        Node::Participant(s) => s.label(),
    }
}

#[cfg(test)]
mod tests;
