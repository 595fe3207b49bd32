//! The saga definition as an AWS Step Functions state machine (Amazon States Language).
//!
//! The machine is the orchestrated saga, whatever style the scenario runs in:
//! - one `Task` state per step, invoking a Lambda function per action, with the scenario's
//!   step timeout and a `Retry` built from its retry policy;
//! - steps up to and including the pivot `Catch` every error into the compensation chain: a
//!   refusal at step k goes to the compensation of the highest compensatable step below k; a
//!   step that ran out of retries (its outcome unknown) goes to its own compensation first, as
//!   the engine does;
//! - each compensation (retried by the compensation policy) goes on to the next lower one, the
//!   last to `NotifyFailure` and then the `Fail` state `SagaCompensated`; a compensation that
//!   runs out of retries ends in the `Fail` state `RollbackIncomplete`;
//! - retriable steps after the pivot have a `Retry` and no `Catch`; the happy path ends in the
//!   `Succeed` state `SagaCompleted`.
//!
//! The engine's policy says "most attempts in all, the first included"; ASL's `MaxAttempts`
//! counts retries only, so it is one less. "For ever" cannot be said in ASL: such retriers use
//! [`FOREVER_ATTEMPTS`].

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::engine::definition::{Operation, SagaDefinition, StepKind};
use crate::engine::message::Task;
use crate::engine::scenario::{RetryPolicy, Scenario};

/// `MaxAttempts` for a retrier that the engine runs for ever.
pub const FOREVER_ATTEMPTS: u32 = 99;

/// The Step Functions integration that invokes a Lambda function.
pub const LAMBDA_INVOKE: &str = "arn:aws:states:::lambda:invoke";

/// Errors worth retrying: timeouts, Lambda's own transient failures, and the services' transient
/// error. A business refusal is thrown under another name and goes straight to `Catch`.
pub const TRANSIENT_ERRORS: [&str; 6] = [
    "States.Timeout",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "TransientError",
];

/// The name of the state that ends a saga that completed.
pub const COMPLETED: &str = "SagaCompleted";
/// The name of the state that ends a saga that was compensated.
pub const COMPENSATED: &str = "SagaCompensated";
/// The name of the state that ends a saga whose rollback could not finish.
pub const ROLLBACK_INCOMPLETE: &str = "RollbackIncomplete";

/// A state machine: the top level of an ASL document.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StateMachine {
    /// What the machine does.
    pub comment: String,
    /// The first state.
    pub start_at: String,
    /// Every state, in reading order.
    pub states: States,
}

/// The states of a machine, kept in the order they were added (step order, then compensations).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct States(pub Vec<(String, State)>);

impl Serialize for States {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, state) in &self.0 {
            map.serialize_entry(name, state)?;
        }
        map.end()
    }
}

/// One state.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "Type")]
pub enum State {
    /// Does work: here, invokes a Lambda function.
    Task(TaskState),
    /// Ends the execution successfully.
    Succeed(EndState),
    /// Ends the execution as failed.
    Fail(FailState),
}

/// A `Task` state.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskState {
    /// What the step is, in words.
    pub comment: String,
    /// The integration ([`LAMBDA_INVOKE`]).
    pub resource: String,
    /// The function and its payload.
    pub parameters: Parameters,
    /// Where the function's result goes in the state's output.
    pub result_path: String,
    /// How long to wait for the function.
    pub timeout_seconds: u64,
    /// When and how to try again.
    pub retry: Vec<Retrier>,
    /// Where to go when the retries are spent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub catch: Vec<Catcher>,
    /// The next state.
    pub next: String,
}

/// A task's `Parameters`: which function, and what it receives.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameters {
    /// The Lambda function's name.
    pub function_name: String,
    /// What the function receives.
    pub payload: Payload,
}

/// The input each function receives.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Payload {
    /// The operation to run (`charge_card`).
    pub task: String,
    /// The saga, taken from the execution's input (a JSONPath).
    #[serde(rename = "saga.$")]
    pub saga: String,
    /// The idempotency key: the execution's name and the task (an intrinsic function).
    #[serde(rename = "idempotencyKey.$")]
    pub idempotency_key: String,
}

/// A `Succeed` state.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EndState {
    /// What it means.
    pub comment: String,
}

/// A `Fail` state.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailState {
    /// What it means.
    pub comment: String,
    /// The error name the execution fails with.
    pub error: String,
    /// A sentence for people.
    pub cause: String,
}

/// One `Retry` entry.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Retrier {
    /// The errors it retries.
    pub error_equals: Vec<String>,
    /// Seconds before the first retry.
    pub interval_seconds: u64,
    /// Retries after the first attempt.
    pub max_attempts: u32,
    /// Each wait is the previous one times this.
    pub backoff_rate: f64,
    /// No wait is longer than this.
    pub max_delay_seconds: u64,
    /// `FULL` when waits are drawn at random below the computed wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jitter_strategy: Option<String>,
}

/// One `Catch` entry.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Catcher {
    /// The errors it catches.
    pub error_equals: Vec<String>,
    /// Where the error goes in the state's input (kept for the compensations to read).
    pub result_path: String,
    /// The state to go to.
    pub next: String,
}

/// The state machine for `scenario`'s saga, retry policies and step timeout.
pub fn state_machine(scenario: &Scenario) -> StateMachine {
    Builder::new(scenario).build()
}

/// The state machine as pretty JSON, ready for the Step Functions console.
pub fn to_json(scenario: &Scenario) -> String {
    serde_json::to_string_pretty(&state_machine(scenario)).unwrap_or_default()
}

struct Builder<'a> {
    def: &'a SagaDefinition,
    scenario: &'a Scenario,
    /// Each step's state name.
    step_names: Vec<String>,
    /// Each step's compensation state name (compensatable steps only).
    undo_names: Vec<Option<String>>,
    notify_name: String,
}

impl<'a> Builder<'a> {
    fn new(scenario: &'a Scenario) -> Self {
        let def = &scenario.definition;
        let mut taken: Vec<String> = [COMPLETED, COMPENSATED, ROLLBACK_INCOMPLETE]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut unique = |label: String, fallback: String| {
            let base = match pascal_case(&label) {
                name if name.is_empty() => fallback,
                name => name,
            };
            let mut name = base.clone();
            let mut n = 2;
            while taken.contains(&name) {
                name = format!("{base}{n}");
                n += 1;
            }
            taken.push(name.clone());
            name
        };
        let step_names: Vec<String> = (0..def.steps.len())
            .map(|i| unique(Task::Action(i).label(def), format!("Step{}", i + 1)))
            .collect();
        let undo_names = (0..def.steps.len())
            .map(|i| {
                def.steps[i]
                    .compensation
                    .map(|_| unique(Task::Compensate(i).label(def), format!("UndoStep{}", i + 1)))
            })
            .collect();
        let notify_name = unique(Task::FailureNotice.label(def), "NotifyFailure".to_string());
        Self {
            def,
            scenario,
            step_names,
            undo_names,
            notify_name,
        }
    }

    /// The compensation state to go to after undoing (or failing) everything from `below` up.
    fn undo_below(&self, below: usize) -> String {
        self.def
            .compensations_below(below)
            .find_map(|i| self.undo_names.get(i).cloned().flatten())
            .unwrap_or_else(|| self.notify_name.clone())
    }

    fn build(self) -> StateMachine {
        let mut states = Vec::new();
        let timeout_seconds = whole_seconds(self.scenario.timing.step_timeout_ms);
        let retry = &self.scenario.retry;
        for (i, step) in self.def.steps.iter().enumerate() {
            let name = self.step_names[i].clone();
            let next = self
                .step_names
                .get(i + 1)
                .cloned()
                .unwrap_or_else(|| COMPLETED.to_string());
            let (retrier, catch, what) = match step.kind {
                StepKind::Retriable => (
                    retrier(&["States.ALL"], &retry.retriable),
                    Vec::new(),
                    "retriable: after the pivot the saga must complete, so this step is retried \
                     until it succeeds (forward recovery) and has no Catch."
                        .to_string(),
                ),
                StepKind::Compensatable | StepKind::Pivot => {
                    let mut catch = Vec::new();
                    if let Some(undo) = self.undo_names[i].clone() {
                        // Out of retries, the step may have taken effect: undo it too.
                        catch.push(catcher(&TRANSIENT_ERRORS, undo));
                    }
                    catch.push(catcher(&["States.ALL"], self.undo_below(i)));
                    let refusal = step
                        .business_failure
                        .as_deref()
                        .map(|f| format!(" Its business failure ({f}) is thrown as BusinessFailure and is not retried."))
                        .unwrap_or_default();
                    let kind = if step.kind == StepKind::Pivot {
                        "the pivot: once it succeeds the saga must complete"
                    } else {
                        "compensatable"
                    };
                    (
                        retrier(&TRANSIENT_ERRORS, &retry.step),
                        catch,
                        format!("{kind}.{refusal}"),
                    )
                }
            };
            let mut comment = format!("Step {}, {}: {what}", i + 1, step.name);
            if step.kind == StepKind::Retriable && retry.retriable.max_attempts.is_none() {
                comment.push_str(&forever_note());
            }
            states.push((
                name.clone(),
                State::Task(self.task(
                    step.action,
                    &name,
                    comment,
                    timeout_seconds,
                    retrier,
                    catch,
                    next,
                )),
            ));
        }
        for i in (0..self.def.steps.len()).rev() {
            let (Some(name), Some(op)) =
                (self.undo_names[i].clone(), self.def.steps[i].compensation)
            else {
                continue;
            };
            let comment = format!(
                "Undoes step {}, {}. It does nothing if the step never took effect, and \
                 nothing twice (idempotency key).",
                i + 1,
                self.def.steps[i].name
            );
            let task = self.task(
                op,
                &name,
                comment,
                timeout_seconds,
                retrier(&["States.ALL"], &retry.compensation),
                vec![catcher(&["States.ALL"], ROLLBACK_INCOMPLETE.to_string())],
                self.undo_below(i),
            );
            states.push((name, State::Task(task)));
        }
        let mut notify_comment =
            "Tells the customer and the restaurant that the reservation failed.".to_string();
        if retry.retriable.max_attempts.is_none() {
            notify_comment.push_str(&forever_note());
        }
        let notify = self.task(
            self.def.failure_notice,
            &self.notify_name,
            notify_comment,
            timeout_seconds,
            retrier(&["States.ALL"], &retry.retriable),
            Vec::new(),
            COMPENSATED.to_string(),
        );
        states.push((self.notify_name.clone(), State::Task(notify)));
        states.push((
            COMPLETED.to_string(),
            State::Succeed(EndState {
                comment: "Every step done.".to_string(),
            }),
        ));
        states.push((
            COMPENSATED.to_string(),
            State::Fail(FailState {
                comment: "The completed steps were undone in reverse order and both parties told."
                    .to_string(),
                error: "SagaCompensated".to_string(),
                cause: "A step failed; the saga was compensated.".to_string(),
            }),
        ));
        states.push((
            ROLLBACK_INCOMPLETE.to_string(),
            State::Fail(FailState {
                comment: "A compensation ran out of retries.".to_string(),
                error: "RollbackIncomplete".to_string(),
                cause: "A compensation could not be done; the saga needs manual intervention."
                    .to_string(),
            }),
        ));
        let start_at = self
            .step_names
            .first()
            .cloned()
            .unwrap_or_else(|| COMPLETED.to_string());
        StateMachine {
            states: States(reachable(states, &start_at)),
            start_at,
            comment: format!(
                "{}: a saga exported from Sagascope. Steps up to the pivot are retried on \
                 timeouts and transient errors; a refusal, or retries running out, runs the \
                 compensations in reverse order and then tells both parties. Each function \
                 receives the saga and an idempotency key (execution name + task). A customer's \
                 cancellation is not modelled here.",
                self.def.name
            ),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn task(
        &self,
        op: Operation,
        state_name: &str,
        comment: String,
        timeout_seconds: u64,
        retrier: Retrier,
        catch: Vec<Catcher>,
        next: String,
    ) -> TaskState {
        let function = format!(
            "sagascope-{}-{}",
            op.service().as_str(),
            op.as_str().replace('_', "-")
        );
        TaskState {
            comment,
            resource: LAMBDA_INVOKE.to_string(),
            parameters: Parameters {
                function_name: function,
                payload: Payload {
                    task: op.as_str().to_string(),
                    saga: "$.saga".to_string(),
                    idempotency_key: format!(
                        "States.Format('{{}}:{}', $$.Execution.Name)",
                        op.as_str()
                    ),
                },
            },
            result_path: format!("$.results.{state_name}"),
            timeout_seconds,
            retry: vec![retrier],
            catch,
            next,
        }
    }
}

/// The states reachable from `start`, in their order: a saga with nothing to compensate needs no
/// compensation chain, and ASL refuses states that cannot be reached.
fn reachable(states: Vec<(String, State)>, start: &str) -> Vec<(String, State)> {
    let mut reached = vec![start.to_string()];
    let mut i = 0;
    while let Some(name) = reached.get(i).cloned() {
        i += 1;
        let Some((_, State::Task(task))) = states.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        let targets = task.catch.iter().map(|c| &c.next).chain([&task.next]);
        for target in targets {
            if !reached.contains(target) {
                reached.push(target.clone());
            }
        }
    }
    states
        .into_iter()
        .filter(|(name, _)| reached.contains(name))
        .collect()
}

fn forever_note() -> String {
    format!(
        " The engine retries it for ever; ASL cannot say so, so MaxAttempts is {FOREVER_ATTEMPTS}."
    )
}

fn retrier(errors: &[&str], policy: &RetryPolicy) -> Retrier {
    Retrier {
        error_equals: errors.iter().map(|e| e.to_string()).collect(),
        interval_seconds: whole_seconds(policy.interval_ms),
        max_attempts: policy
            .max_attempts
            .map_or(FOREVER_ATTEMPTS, |n| n.saturating_sub(1)),
        backoff_rate: policy.backoff_rate,
        max_delay_seconds: whole_seconds(policy.max_delay_ms),
        jitter_strategy: policy.jitter.then(|| "FULL".to_string()),
    }
}

fn catcher(errors: &[&str], next: String) -> Catcher {
    Catcher {
        error_equals: errors.iter().map(|e| e.to_string()).collect(),
        result_path: "$.error".to_string(),
        next,
    }
}

/// Milliseconds as whole seconds, rounded up, at least 1 (ASL counts in whole seconds).
fn whole_seconds(ms: u64) -> u64 {
    ms.div_ceil(1000).max(1)
}

/// "Charge card" → "ChargeCard": a state name made of letters and digits, at most 64 characters.
fn pascal_case(label: &str) -> String {
    let mut out = String::new();
    for word in label.split(|c: char| !c.is_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.extend(chars);
        }
    }
    out.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_pascal_case() {
        assert_eq!(pascal_case("Charge card"), "ChargeCard");
        assert_eq!(pascal_case("  notify -- failure "), "NotifyFailure");
        assert_eq!(pascal_case("§§"), "");
    }

    #[test]
    fn seconds_round_up() {
        assert_eq!(whole_seconds(1), 1);
        assert_eq!(whole_seconds(1_000), 1);
        assert_eq!(whole_seconds(2_500), 3);
    }
}
