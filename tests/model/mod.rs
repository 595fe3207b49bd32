//! A reference model of the restaurant saga, written from DESIGN.md alone.
//!
//! It shares nothing with the engine but the scenario's input types and the definition's plain
//! fields: no engine helper decides anything here. It is a *logical* model: each step's attempts
//! consume the faults aimed at it, the retry budget decides when a step gives up, and the rules
//! of the design (outcomes known only from replies, the point of no return, forward-only steps,
//! cancels in every window, the truthful failure notice) decide what follows. It predicts, per
//! saga, the outcome, which actions and compensations take effect (and in which order), and the
//! final rows; it does not predict the trace.
//!
//! Where the rules leave a choice open, the model returns every allowed result (the
//! alternatives), and the engine must match one of them exactly. Where the rules do not decide at
//! all, it returns `None` and only [`consistency`] applies.
//!
//! How it decides, rule by rule:
//!
//! - **Attempts.** Orchestration counts attempts with the retry policies (steps up to the pivot,
//!   compensations, retriable steps and the failure notice); choreography counts receives, and a
//!   message received more than `max_receive_count` times is dead-lettered. A transient error or
//!   no reply fails one attempt; "took effect, reply lost" takes effect on the first attempt and
//!   loses its reply; a business failure refuses.
//! - **Before the pivot.** A refusal compensates what took effect, nearest first, then tells both
//!   parties. A step out of attempts compensates the same way; the step itself is undone if it
//!   took effect (a lost reply), and may be undone (a no-op) if it never did: also when every
//!   attempt was answered with an error, since an error answers one copy of a command and a
//!   duplicate may have taken effect (only a "done" or a refusal settles a step's outcome). In
//!   choreography a dead letter waits for a person.
//! - **The point of no return.** A pivot out of attempts whose outcome no reply told (no reply,
//!   reply lost, a dead letter) waits for a person and is never compensated; a refusal of the
//!   pivot is compensated; a pivot whose every attempt was answered with an error may be either.
//! - **Forward-only.** A retriable step out of attempts waits for a person; so does a failure
//!   notice out of attempts. Neither is ever compensated.
//! - **Compensations.** A compensation out of attempts ends the saga rollback incomplete; the
//!   ones before it stay done, the ones after it never run.
//! - **Cancels.** Before the start (orchestration): nothing runs; both parties are told. Before
//!   the pivot may have taken effect: no new step; what took effect is undone; choreography may
//!   run on to the pivot, whose owner says no. After that point: the saga completes, then a
//!   cancellation saga undoes the compensatable steps in reverse and tells both parties.
//! - **Stale replies.** A service slower than the step timeout does the work but no reply is in
//!   time: every attempt gives up with its outcome unknown (but see the crash below), unless a
//!   late "done" came before the last attempt gave up. That reply decides no attempt, but it is
//!   knowledge: the step took effect, so a pivot or retriable step goes forward. A consumer
//!   slower than the visibility timeout is redelivered and the duplicate dropped: nothing
//!   changes.
//! - **The notice tells the truth**: "refunded" when the saga was charged, else "nothing charged";
//!   never the conditional "any charge … refunded", which is true but says less than the
//!   coordinator knows (see [`Says`]).
//! - **An orchestrator crash** resumes from the log: the outcome is as without it, except for
//!   the command that was out when it went down. Re-sent after the restart, it may use up one of
//!   the step's counted faults, so the attempts the policy counts meet one fewer. Its reply may
//!   have come while the orchestrator was down and been lost, so before the pivot a step that
//!   then runs out of attempts is unknown even if every later attempt answered with an error: it
//!   may be compensated (a no-op), and if that compensation keeps failing the saga ends rollback
//!   incomplete. And the restart re-sends the same attempt with the same task token, so a late
//!   reply to the command sent before the crash answers the token awaited: a slow service's
//!   reply may then decide the task that was out, whichever of that saga's tasks it was.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use sagascope::engine::scenario::RetryPolicy;
use sagascope::engine::tables::{LedgerKind, ReservationStatus};
use sagascope::engine::{Coordination, FaultSpec, Operation, Outcome, Scenario, Simulation, Task};

/// How a saga ended, as the model speaks of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fate {
    /// Every step took effect.
    Completed,
    /// What took effect was undone, in reverse order, and both parties were told.
    Compensated,
    /// A compensation ran out of attempts.
    RollbackIncomplete,
    /// It may only go forward and cannot: a person must look.
    AwaitingPerson,
    /// Not ended (the engine's saga is still running).
    Running,
}

impl Fate {
    pub fn of(outcome: Outcome) -> Fate {
        match outcome {
            Outcome::Completed => Fate::Completed,
            Outcome::Compensated => Fate::Compensated,
            Outcome::RollbackIncomplete => Fate::RollbackIncomplete,
            Outcome::AwaitingPerson => Fate::AwaitingPerson,
            Outcome::Running => Fate::Running,
        }
    }
}

/// What the failure notice says about money, in three classes (and "something else").
///
/// DESIGN.md: "The failure notice tells the truth: 'refunded' when a charge was refunded,
/// 'nothing charged' only when nothing was", and invariant 9 wants both parties told
/// "truthfully". The rule the model keeps:
///
/// - [`Says::Refunded`] ("€40.00 refunded") is true iff this saga's charge took effect and was
///   refunded; [`Says::NothingCharged`] iff no charge of this saga took effect.
/// - [`Says::Conditional`] ("any charge of €40.00 refunded") states the refund on a condition.
///   It is true either way as long as no charge is left standing, so it never breaks the
///   truth ([`consistency`] accepts it whenever the saga's net charge is zero). But the model
///   never predicts it: outcomes are known from replies, and before a coordinator sends the
///   notice of a saga the model decides it has heard the refund's reply, which is the payment
///   service's word on its own ledger (a refund of a charge that never happened is a no-op, and
///   says so). Where it can know, the notice says which: "refunded" or "nothing charged".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Says {
    /// "refunded", unconditionally.
    Refunded,
    /// "nothing charged"
    NothingCharged,
    /// "any charge … refunded": refunded on a condition, true either way.
    Conditional,
    /// Something else (the model never predicts this).
    Other,
}

impl Says {
    /// Whether a notice saying this is true of a saga: `charged` if a charge of it took effect,
    /// `refunded` if a refund of it did, `net_cents` charged minus refunded.
    pub fn is_true(self, charged: bool, refunded: bool, net_cents: i64) -> bool {
        match self {
            Says::Refunded => charged && refunded && net_cents == 0,
            Says::NothingCharged => !charged,
            Says::Conditional => net_cents == 0,
            Says::Other => false,
        }
    }
}

/// The rows one saga leaves behind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rows {
    /// The reservation's status, if a row exists.
    pub reservation: Option<&'static str>,
    /// Charged minus refunded, in cents.
    pub net_cents: i64,
    /// Whether the saga holds its slot.
    pub slot_held: bool,
    /// Notifications telling of success (both parties: 2).
    pub success_rows: usize,
    /// Notifications telling of failure (both parties: 2), and what they say.
    pub failure_rows: Vec<Says>,
}

/// Everything the model predicts for one saga.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SagaResult {
    pub fate: Fate,
    /// Steps (0-based) whose action took effect, in the order they did.
    pub actions: Vec<usize>,
    /// Steps (0-based) whose compensation took effect, in the order they did.
    pub compensations: Vec<usize>,
    /// How many times the failure notice took effect.
    pub notices: usize,
    pub rows: Rows,
}

/// One allowed result, with the rule that led to it (for people reading a difference).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Predicted {
    pub result: SagaResult,
    pub why: String,
}

/// The faults aimed at one step of one saga, as the model counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepFaults {
    pub business: bool,
    pub transient: u32,
    pub no_reply: u32,
    pub ambiguous: u32,
    /// `Some(None)`: the compensation fails for ever.
    pub compensation_fails: Option<Option<u32>>,
}

impl StepFaults {
    fn action_kinds(&self) -> usize {
        usize::from(self.business)
            + usize::from(self.transient > 0)
            + usize::from(self.no_reply > 0)
            + usize::from(self.ambiguous > 0)
    }
}

/// When the customer's cancel arrives, in the terms of the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancel {
    /// Before the saga starts.
    BeforeStart,
    /// While step `k`'s action (k before the pivot) is under way: its command is out
    /// (orchestration), or steps below `k` are done and the pivot is not (choreography).
    DuringStep(usize),
    /// After the pivot was sent (it may have taken effect), before the saga completed.
    AfterPivot,
    /// After the saga ended.
    AfterEnd,
}

/// One saga's inputs to the model.
#[derive(Debug, Clone, Default)]
pub struct SagaInput {
    pub faults: Vec<StepFaults>,
    pub cancel: Option<Cancel>,
    /// Another saga holds this saga's slot when it books: the booking is refused.
    pub slot_taken: bool,
    /// Orchestration: this service answers every request later than the step timeout (it
    /// still does the work). Every reply from it is stale and ignored, so none decides (but
    /// see `answered_late`).
    pub slow: Option<&'static str>,
    /// The amount charged.
    pub amount_cents: u64,
    /// Orchestration: the orchestrator crashed and restarted while this saga ran. Set by
    /// [`predict`] on the variants a crash allows.
    pub crashed: bool,
    /// After a crash, the task of a slow service whose late reply decided it: the reply to the
    /// command that was out when the orchestrator went down answers the same task token that
    /// the restart re-sends, so it is awaited, not stale.
    pub answered_late: Option<Task>,
    /// Orchestration: the latency added to the slow service, if one is slow.
    pub slow_extra_ms: u64,
    /// A "done" from the slow service, late for the attempt it answers, comes before its
    /// forward step (the pivot or a retriable step) runs out of attempts: that step is then
    /// known to have taken effect and the saga goes forward. Set by [`predict`] from the timing.
    pub hears_late: bool,
}

/// The attempt budgets: most attempts in all, `None` for no limit.
#[derive(Debug, Clone, Copy)]
pub struct Budgets {
    pub step: Option<u32>,
    pub compensation: Option<u32>,
    pub retriable: Option<u32>,
}

impl Budgets {
    /// Orchestration counts attempts with the retry policies (Step Functions' Retry);
    /// choreography counts receives, and a message received too often is dead-lettered.
    pub fn of(scenario: &Scenario) -> Budgets {
        match scenario.coordination {
            Coordination::Orchestration => {
                let most = |p: &RetryPolicy| p.max_attempts;
                Budgets {
                    step: most(&scenario.retry.step),
                    compensation: most(&scenario.retry.compensation),
                    retriable: most(&scenario.retry.retriable),
                }
            }
            Coordination::Choreography => {
                let m = Some(scenario.queues.max_receive_count);
                Budgets {
                    step: m,
                    compensation: m,
                    retriable: m,
                }
            }
        }
    }
}

/// The kinds of step, read from the definition's plain fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Compensatable,
    Pivot,
    Retriable,
}

struct Shape {
    kinds: Vec<Kind>,
    actions: Vec<Operation>,
    compensations: Vec<Option<Operation>>,
    notice: Operation,
}

impl Shape {
    fn of(scenario: &Scenario) -> Shape {
        use sagascope::engine::StepKind;
        let steps = &scenario.definition.steps;
        Shape {
            kinds: steps
                .iter()
                .map(|s| match s.kind {
                    StepKind::Compensatable => Kind::Compensatable,
                    StepKind::Pivot => Kind::Pivot,
                    StepKind::Retriable => Kind::Retriable,
                })
                .collect(),
            actions: steps.iter().map(|s| s.action).collect(),
            compensations: steps.iter().map(|s| s.compensation).collect(),
            notice: scenario.definition.failure_notice,
        }
    }

    /// The first step that is not compensatable: nothing at or after it is ever compensated
    /// because of a failure (the pivot, or the first retriable step).
    fn point_of_no_return(&self) -> usize {
        self.kinds
            .iter()
            .position(|k| *k != Kind::Compensatable)
            .unwrap_or(self.kinds.len())
    }
}

/// The service that owns an operation's tables (DESIGN.md's table of the restaurant saga).
pub fn owner(op: Operation) -> &'static str {
    match op {
        Operation::CreateReservation
        | Operation::CancelReservation
        | Operation::ConfirmReservation => "reservation",
        Operation::ChargeCard | Operation::RefundPayment => "payment",
        Operation::BookSlot | Operation::ReleaseSlot => "calendar",
        Operation::NotifyConfirmed | Operation::NotifyFailure => "notification",
    }
}

/// Whether no reply to `task` (whose operation is `op`) is ever in time to decide it.
fn is_slow(input: &SagaInput, task: Task, op: Operation) -> bool {
    input.slow.is_some_and(|s| s == owner(op)) && input.answered_late != Some(task)
}

/// How a step's attempts went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepRun {
    /// A reply said done.
    Done,
    /// A reply said no (business failure).
    Refused,
    /// Out of attempts. `took_effect`: it did take effect; `unknown`: no reply ever said
    /// whether (a timeout or a lost reply), so it may have.
    GaveUp { took_effect: bool, unknown: bool },
}

fn allows(budget: Option<u32>, attempts: u32) -> bool {
    budget.is_none_or(|most| attempts <= most)
}

/// Runs one step's attempts against the faults aimed at it. `None`: the rules do not decide.
fn run_step(f: &StepFaults, budget: Option<u32>, style: Coordination) -> Option<StepRun> {
    if f.action_kinds() > 1 {
        // Which fault an attempt meets first is not a rule.
        return None;
    }
    if f.business {
        return Some(StepRun::Refused);
    }
    // Each failed attempt is followed by another while the budget allows.
    let failing = f.transient + f.no_reply + f.ambiguous;
    if failing == 0 || allows(budget, failing + 1) {
        if f.ambiguous > 0 && style == Coordination::Choreography && !allows(budget, failing + 1) {
            return None;
        }
        return Some(StepRun::Done);
    }
    match style {
        Coordination::Orchestration => Some(StepRun::GaveUp {
            took_effect: f.ambiguous > 0,
            unknown: f.no_reply > 0 || f.ambiguous > 0,
        }),
        // A message received too often goes to the dead-letter queue. An ambiguous step has
        // already published its event by then: what follows is not a rule.
        Coordination::Choreography => {
            if f.ambiguous > 0 {
                return None;
            }
            Some(StepRun::GaveUp {
                took_effect: false,
                unknown: false,
            })
        }
    }
}

fn fault_name(f: &StepFaults) -> &'static str {
    if f.transient > 0 {
        "transient errors"
    } else if f.no_reply > 0 {
        "no reply"
    } else if f.ambiguous > 0 {
        "reply lost"
    } else if f.business {
        "slot taken"
    } else {
        "every reply late"
    }
}

/// A path through the saga, built up as the model goes.
#[derive(Debug, Clone)]
struct Path {
    fate: Fate,
    actions: Vec<usize>,
    compensations: Vec<usize>,
    notices: usize,
    why: String,
}

impl Path {
    fn because(mut self, why: impl Into<String>) -> Path {
        if self.why.is_empty() {
            self.why = why.into();
        }
        self
    }
}

/// The model: every result the rules allow for one saga, or `None` if they do not decide.
pub fn predict(scenario: &Scenario, input: &SagaInput, crashed: bool) -> Option<Vec<Predicted>> {
    let style = scenario.coordination;
    let budgets = Budgets::of(scenario);
    let shape = Shape::of(scenario);
    let mut input = input.clone();
    input.crashed = crashed;
    let input = &input;
    let mut variants = vec![input.clone()];
    if crashed {
        // A crash of the orchestrator makes it ask again after its restart (the same attempt,
        // idempotent): the re-sent command may meet one of the step's counted faults. Whether it
        // does depends on the crash's moment, so each counted fault may fire once less.
        //
        // The reply to the command that was out may have come while the orchestrator was down
        // and been lost with it, so that step's outcome is unknown (see `forward`). And since the
        // restart re-sends the same attempt with the same task token, a late reply to the
        // command sent before the crash answers the token awaited: a slow service's reply may
        // then decide one task of this saga (the one that was out).
        if let Some(slow) = input.slow {
            let steps = 0..shape.actions.len();
            let tasks = steps
                .clone()
                .filter(|&s| owner(shape.actions[s]) == slow)
                .map(Task::Action)
                .chain(
                    steps
                        .filter(|&s| shape.compensations[s].is_some_and(|op| owner(op) == slow))
                        .map(Task::Compensate),
                )
                .chain((owner(shape.notice) == slow).then_some(Task::FailureNotice));
            for task in tasks {
                let mut v = input.clone();
                v.answered_late = Some(task);
                variants.push(v);
            }
        }
        for (step, f) in input.faults.iter().enumerate() {
            let mut fewer = |change: &dyn Fn(&mut StepFaults)| {
                let mut v = input.clone();
                change(&mut v.faults[step]);
                variants.push(v);
            };
            if f.transient > 0 {
                fewer(&|g| g.transient -= 1);
            }
            if f.no_reply > 0 {
                fewer(&|g| g.no_reply -= 1);
            }
            if f.ambiguous > 0 {
                fewer(&|g| g.ambiguous -= 1);
            }
            if let Some(Some(n)) = f.compensation_fails {
                if n > 0 {
                    fewer(&|g| g.compensation_fails = Some(Some(n - 1)));
                }
            }
        }
    }
    // A late "done" is knowledge: whether one comes before the slow service's forward steps
    // give up is timing. After a crash it may have come while the orchestrator was down.
    let mut heard = BTreeSet::new();
    if let Some(slow) = input.slow {
        for (step, &op) in shape.actions.iter().enumerate() {
            let policy = match shape.kinds[step] {
                Kind::Compensatable => continue,
                Kind::Pivot => &scenario.retry.step,
                Kind::Retriable => &scenario.retry.retriable,
            };
            if owner(op) != slow {
                continue;
            }
            match late_done_in_time(scenario, policy, input.slow_extra_ms) {
                Some(answer) if !crashed => {
                    heard.insert(answer);
                }
                _ => {
                    heard.insert(false);
                    heard.insert(true);
                }
            }
        }
    }
    if heard.contains(&true) {
        let late: Vec<SagaInput> = variants
            .iter()
            .map(|v| SagaInput {
                hears_late: true,
                ..v.clone()
            })
            .collect();
        if !heard.contains(&false) {
            variants.clear();
        }
        variants.extend(late);
    }
    let mut results = Vec::new();
    for variant in &variants {
        for path in paths(&shape, variant, budgets, style)? {
            let why = path.why.clone();
            results.push(Predicted {
                result: finish(&shape, path, input.amount_cents),
                why,
            });
        }
    }
    results.sort();
    results.dedup();
    Some(results)
}

/// Where the forward run may be cut short by a cancel, as the number of steps attempted
/// before the saga aborts (`None`: it is not cut short before the pivot).
fn abort_points(cancel: Option<Cancel>, style: Coordination, shape: &Shape) -> Vec<Option<usize>> {
    let pivot = shape.point_of_no_return();
    match cancel {
        None | Some(Cancel::AfterPivot) | Some(Cancel::AfterEnd) => vec![None],
        // Orchestration: the orchestrator knows of the cancel before it sends anything.
        // Choreography: no one coordinates; services may go on until the pivot's owner says no,
        // as long as what took effect is undone.
        Some(Cancel::BeforeStart) => match style {
            Coordination::Orchestration => vec![Some(0)],
            Coordination::Choreography => (0..=pivot).map(Some).collect(),
        },
        // Orchestration: step k's command is out; it may take effect (then it is undone) or be
        // stopped; nothing after it is sent. Choreography: anything up to the pivot may happen.
        Some(Cancel::DuringStep(k)) => match style {
            Coordination::Orchestration => vec![Some(k), Some((k + 1).min(pivot))],
            Coordination::Choreography => (k..=pivot).map(Some).collect(),
        },
    }
}

fn paths(
    shape: &Shape,
    input: &SagaInput,
    budgets: Budgets,
    style: Coordination,
) -> Option<Vec<Path>> {
    let mut out = Vec::new();
    for abort in abort_points(input.cancel, style, shape) {
        out.extend(forward(shape, input, budgets, style, abort)?);
    }
    let late_cancel = matches!(input.cancel, Some(Cancel::AfterPivot | Cancel::AfterEnd));
    if late_cancel && out.iter().any(|p| p.fate == Fate::AwaitingPerson) {
        // What a cancel does to a saga waiting for a person is not a rule.
        return None;
    }
    Some(out)
}

/// The forward run, and whatever it leads to.
fn forward(
    shape: &Shape,
    input: &SagaInput,
    budgets: Budgets,
    style: Coordination,
    abort: Option<usize>,
) -> Option<Vec<Path>> {
    let pivot = shape.point_of_no_return();
    let steps = shape.kinds.len();
    let mut path = Path {
        fate: Fate::Running,
        actions: Vec::new(),
        compensations: Vec::new(),
        notices: 0,
        why: String::new(),
    };
    for step in 0..steps {
        if abort == Some(step) {
            // A cancel before the pivot: abort, undo what took effect, tell both parties.
            let undo = path.actions.iter().rev().map(|&s| (s, true)).collect();
            let mut stopped = path.clone();
            let path = path.because(match input.cancel {
                Some(Cancel::DuringStep(k)) => format!("cancel during step {}", k + 1),
                _ => "cancel before the start".to_string(),
            });
            let mut all = rollback(shape, input, budgets, path.clone(), undo)?;
            let refused = input.faults.get(step).is_some_and(|f| f.business)
                || (input.slot_taken && shape.actions[step] == Operation::BookSlot);
            if style == Coordination::Orchestration
                && input.cancel == Some(Cancel::DuringStep(step))
                && !refused
            {
                // Its command was out and never refused, so the step may have taken effect: the
                // orchestrator undoes it too (a no-op if it did not, which matters only if that
                // compensation fails).
                let mut with = vec![(step, false)];
                with.extend(path.actions.iter().rev().map(|&s| (s, true)));
                all.extend(rollback(shape, input, budgets, path, with)?);
            }
            if style == Coordination::Choreography {
                // The service that says no to the cancelled saga may first fail to handle the
                // message as often as its faults say, and dead-letter it.
                let faults = input.faults.get(step).copied().unwrap_or_default();
                let budget = budgets.step;
                if let Some(StepRun::GaveUp { .. }) = run_step(&faults, budget, style) {
                    stopped.fate = Fate::AwaitingPerson;
                    let why = format!("cancelled, step {} dead-lettered", step + 1);
                    all.push(stopped.because(why));
                }
            }
            return Some(all);
        }
        let mut faults = input.faults.get(step).copied().unwrap_or_default();
        if input.slot_taken && shape.actions[step] == Operation::BookSlot {
            if faults.action_kinds() > 0 {
                return None;
            }
            faults.business = true;
        }
        let budget = match shape.kinds[step] {
            Kind::Retriable => budgets.retriable,
            _ => budgets.step,
        };
        let done: Vec<(usize, bool)> = path.actions.iter().rev().map(|&s| (s, true)).collect();
        let run = if is_slow(input, Task::Action(step), shape.actions[step]) {
            // The first attempt takes effect; no reply is ever in time: it gives up, unknown,
            // unless a late "done" was heard first and the step only goes forward.
            if faults.action_kinds() > 0 || budget.is_none() {
                return None;
            }
            if input.hears_late && shape.kinds[step] != Kind::Compensatable {
                StepRun::Done
            } else {
                StepRun::GaveUp {
                    took_effect: true,
                    unknown: true,
                }
            }
        } else {
            run_step(&faults, budget, style)?
        };
        match (run, shape.kinds[step]) {
            (StepRun::Done, _) => path.actions.push(step),
            // A definite refusal at or before the pivot: compensate what took effect.
            (StepRun::Refused, Kind::Compensatable | Kind::Pivot) => {
                let path = path.because(format!("business failure of step {}", step + 1));
                return rollback(shape, input, budgets, path, done);
            }
            (StepRun::Refused, Kind::Retriable) => return None,
            (
                StepRun::GaveUp {
                    took_effect,
                    unknown,
                },
                Kind::Compensatable,
            ) => {
                if style == Coordination::Choreography {
                    // A dead letter: the saga waits for a person (a redrive resumes it).
                    path.fate = Fate::AwaitingPerson;
                    let why = format!("step {} dead-lettered", step + 1);
                    return Some(vec![path.because(why)]);
                }
                let mut path = path.because(format!(
                    "step {} out of attempts ({}) before the pivot",
                    step + 1,
                    fault_name(&faults)
                ));
                // An orchestrator that crashed while a command of this step was out cannot know
                // whether it took effect: the reply may have come while it was down. Error
                // replies to later attempts do not tell either, so the outcome stays unknown.
                // The model does not place the crash, so it allows this for any such step.
                let after_crash = !unknown && input.crashed;
                // An error reply says only that the copy of the command it answers did nothing:
                // a duplicate of that command may still have taken effect. Outcomes are known
                // only from a "done" or a refusal, so a step that only ever heard errors is
                // unknown too, and may be compensated (a no-op) when the saga goes back.
                let only_errors = !unknown && faults.transient > 0;
                let unknown = unknown || after_crash || only_errors;
                // Before the pivot an unknown step may be compensated; one that took effect
                // must be. One that never happened may be compensated (a no-op) or not: it
                // matters only if its compensation fails.
                if took_effect {
                    path.actions.push(step);
                    let undo = path.actions.iter().rev().map(|&s| (s, true)).collect();
                    return rollback(shape, input, budgets, path, undo);
                }
                let mut all = rollback(shape, input, budgets, path.clone(), done.clone())?;
                if unknown {
                    let mut with = vec![(step, false)];
                    with.extend(done.iter().copied());
                    if after_crash {
                        path.why = format!("{}, unknown after the crash", path.why);
                        // The command re-sent after the restart is the same attempt as the one
                        // whose error reply decided it: that copy may have taken effect, and
                        // then its compensation undoes it.
                        let mut took = path.clone();
                        took.actions.push(step);
                        let mut undo = vec![(step, true)];
                        undo.extend(done.iter().copied());
                        all.extend(rollback(shape, input, budgets, took, undo)?);
                    }
                    all.extend(rollback(shape, input, budgets, path, with)?);
                }
                return Some(all);
            }
            (
                StepRun::GaveUp {
                    took_effect,
                    unknown,
                },
                Kind::Pivot,
            ) => {
                if took_effect {
                    path.actions.push(step);
                }
                if unknown || style == Coordination::Choreography {
                    // The point of no return (or a dead letter): never compensated.
                    path.fate = Fate::AwaitingPerson;
                    let why = if unknown {
                        format!("pivot outcome unknown ({})", fault_name(&faults))
                    } else {
                        "pivot dead-lettered".to_string()
                    };
                    return Some(vec![path.because(why)]);
                }
                let mut path =
                    path.because("pivot out of attempts, every one answered with an error");
                // Every attempt was answered with an error: no reply leaves it unknown, so the
                // rules allow compensating; waiting for a person is allowed too.
                let mut all = rollback(shape, input, budgets, path.clone(), done)?;
                path.fate = Fate::AwaitingPerson;
                all.push(path);
                return Some(all);
            }
            (StepRun::GaveUp { took_effect, .. }, Kind::Retriable) => {
                // Forward-only: flagged for a person, never compensated.
                if took_effect {
                    path.actions.push(step);
                }
                path.fate = Fate::AwaitingPerson;
                let why = format!(
                    "retriable step {} out of attempts ({})",
                    step + 1,
                    fault_name(&faults)
                );
                return Some(vec![path.because(why)]);
            }
        }
    }
    path.fate = Fate::Completed;
    match input.cancel {
        Some(Cancel::AfterPivot) | Some(Cancel::AfterEnd) => {
            // The saga completes, then a cancellation saga undoes it and tells both parties.
            let undo = path.actions.iter().rev().map(|&s| (s, true)).collect();
            let path = path.because("cancel after the pivot: complete, then a cancellation saga");
            rollback(shape, input, budgets, path, undo)
        }
        _ => {
            debug_assert!(pivot <= steps);
            let why = if input.cancel.is_some() {
                "completed (the cancel came after the end)"
            } else {
                "completed"
            };
            Some(vec![path.because(why)])
        }
    }
}

/// Compensates `undo` (steps, nearest first; `false`: the step never took effect, so its
/// compensation changes nothing), then sends the failure notice.
fn rollback(
    shape: &Shape,
    input: &SagaInput,
    budgets: Budgets,
    mut path: Path,
    undo: Vec<(usize, bool)>,
) -> Option<Vec<Path>> {
    for (step, took_effect) in undo {
        if shape.compensations[step].is_none() {
            continue;
        }
        let fails = input
            .faults
            .get(step)
            .and_then(|f| f.compensation_fails)
            .unwrap_or(Some(0));
        let gives_up = match (fails, budgets.compensation) {
            (None, None) => return None, // fails for ever and retried for ever: never ends
            (None, Some(_)) => true,
            (Some(n), budget) => !allows(budget, n + 1),
        };
        let slow =
            shape.compensations[step].is_some_and(|op| is_slow(input, Task::Compensate(step), op));
        if slow {
            // It takes effect, but no reply is in time: out of attempts.
            if budgets.compensation.is_none() || fails != Some(0) {
                return None;
            }
            if took_effect {
                path.compensations.push(step);
            }
        }
        if gives_up || slow {
            path.fate = Fate::RollbackIncomplete;
            path.why = format!(
                "{}; compensation of step {} out of attempts",
                path.why,
                step + 1
            );
            return Some(vec![path]);
        }
        if took_effect {
            path.compensations.push(step);
        }
    }
    // No fault is ever aimed at the failure notice: it goes through, unless no reply from a slow
    // notifier is ever in time; then it took effect and, forward-only, waits for a person.
    path.notices = 1;
    if is_slow(input, Task::FailureNotice, shape.notice) {
        budgets.retriable?;
        path.fate = Fate::AwaitingPerson;
        path.why = format!("{}; failure notice out of attempts (slow)", path.why);
        return Some(vec![path]);
    }
    path.fate = Fate::Compensated;
    Some(vec![path])
}

/// The rows a path leaves, from what each operation does (DESIGN.md's table).
fn finish(shape: &Shape, path: Path, amount: u64) -> SagaResult {
    let amount = i64::try_from(amount).unwrap_or(i64::MAX);
    let mut rows = Rows {
        reservation: None,
        net_cents: 0,
        slot_held: false,
        success_rows: 0,
        failure_rows: Vec::new(),
    };
    let mut charged = false;
    let mut apply = |op: Operation, rows: &mut Rows| match op {
        Operation::CreateReservation => rows.reservation = Some("PENDING"),
        Operation::ConfirmReservation => rows.reservation = Some("CONFIRMED"),
        Operation::CancelReservation => {
            if rows.reservation.is_some() {
                rows.reservation = Some("CANCELLED");
            }
        }
        Operation::ChargeCard => {
            rows.net_cents += amount;
            charged = true;
        }
        Operation::RefundPayment => rows.net_cents -= amount,
        Operation::BookSlot => rows.slot_held = true,
        Operation::ReleaseSlot => rows.slot_held = false,
        Operation::NotifyConfirmed => rows.success_rows += 2,
        Operation::NotifyFailure => {
            let says = if charged {
                Says::Refunded
            } else {
                Says::NothingCharged
            };
            rows.failure_rows.extend([says, says]);
        }
    };
    for &s in &path.actions {
        apply(shape.actions[s], &mut rows);
    }
    for &s in &path.compensations {
        if let Some(op) = shape.compensations[s] {
            apply(op, &mut rows);
        }
    }
    for _ in 0..path.notices {
        apply(shape.notice, &mut rows);
    }
    SagaResult {
        fate: path.fate,
        actions: path.actions,
        compensations: path.compensations,
        notices: path.notices,
        rows,
    }
}

/// Reads what the engine did for saga `saga`, in the model's terms.
pub fn observe(sim: &Simulation, saga: usize) -> SagaResult {
    let mut actions = Vec::new();
    let mut compensations = Vec::new();
    let mut notices = 0;
    for effect in sim.effects().iter().filter(|e| e.saga == saga) {
        match effect.task {
            Task::Action(s) => actions.push(s),
            Task::Compensate(s) => compensations.push(s),
            Task::FailureNotice => notices += 1,
        }
    }
    let tables = sim.tables();
    let reservation = tables.reservations.get(&saga).map(|r| match r.status {
        ReservationStatus::Pending => "PENDING",
        ReservationStatus::Confirmed => "CONFIRMED",
        ReservationStatus::Cancelled => "CANCELLED",
    });
    let net_cents = tables
        .ledger
        .iter()
        .filter(|r| r.saga == saga)
        .map(|r| {
            let a = i64::try_from(r.amount_cents).unwrap_or(i64::MAX);
            match r.kind {
                LedgerKind::Charged => a,
                LedgerKind::Refunded => -a,
            }
        })
        .sum();
    let slot_held = tables.slots.iter().any(|r| r.saga == saga);
    let mut success_rows = 0;
    let mut failure_rows = Vec::new();
    for row in tables.notifications.iter().filter(|n| n.saga == saga) {
        match classify(&row.text) {
            None => success_rows += 1,
            Some(says) => failure_rows.push(says),
        }
    }
    failure_rows.sort();
    SagaResult {
        fate: Fate::of(sim.sagas()[saga].outcome),
        actions,
        compensations,
        notices,
        rows: Rows {
            reservation,
            net_cents,
            slot_held,
            success_rows,
            failure_rows,
        },
    }
}

/// `None` for a notification of success; what a notice of failure says about money (see
/// [`Says`] for the three classes). A refund stated on a condition ("any charge", "if charged",
/// "if any") is conditional; any other mention of a refund is definite.
pub fn classify(text: &str) -> Option<Says> {
    let t = text.to_ascii_lowercase();
    let failure = [
        "fail",
        "cancel",
        "refund",
        "nothing charged",
        "rejected",
        "declined",
    ]
    .iter()
    .any(|w| t.contains(w));
    if !failure {
        return None;
    }
    let conditional = ["any charge", "if charged", "if any", "if you were charged"]
        .iter()
        .any(|w| t.contains(w));
    Some(if t.contains("refund") && conditional {
        Says::Conditional
    } else if t.contains("refund") {
        Says::Refunded
    } else if t.contains("nothing charged") || t.contains("not charged") {
        Says::NothingCharged
    } else {
        Says::Other
    })
}

/// The model's inputs for every saga of a scenario whose faults are all step-addressed and
/// present from the start (plus the given cancels). `None` if a fault is not one the model
/// counts.
pub fn inputs(scenario: &Scenario, cancels: &BTreeMap<usize, Cancel>) -> Option<Vec<SagaInput>> {
    let steps = scenario.definition.steps.len();
    let mut out: Vec<SagaInput> = scenario
        .sagas
        .iter()
        .enumerate()
        .map(|(i, s)| SagaInput {
            faults: vec![StepFaults::default(); steps],
            cancel: cancels.get(&i).copied(),
            slot_taken: false,
            slow: None,
            crashed: false,
            answered_late: None,
            slow_extra_ms: 0,
            hears_late: false,
            amount_cents: s.amount_cents,
        })
        .collect();
    let several = out.len() > 1;
    for fault in &scenario.faults {
        if let FaultSpec::Latency { service, extra_ms } = fault {
            let slow = slow_service(scenario, *extra_ms)?;
            if slow {
                for input in &mut out {
                    if input.slow.is_some() {
                        return None;
                    }
                    input.slow = Some(service.as_str());
                    input.slow_extra_ms = *extra_ms;
                }
            }
            continue;
        }
        add_fault(&mut out, fault, several)?;
    }
    Some(out)
}

/// Whether the "done" a slow service sends for the first attempt of a step comes back before
/// the last attempt `policy` allows times out: `Some(true)` always, `Some(false)` never (a single
/// attempt, or a reply slower than every attempt and wait together), `None` where the network's
/// jitter or the waits' jitter decides.
fn late_done_in_time(scenario: &Scenario, policy: &RetryPolicy, extra_ms: u64) -> Option<bool> {
    let t = &scenario.timing;
    let attempts = u64::from(policy.max_attempts?);
    if attempts < 2 {
        return Some(false);
    }
    let handling = t.process_ms + extra_ms;
    let soonest_reply = 2 * t.network_ms.saturating_sub(t.network_jitter_ms) + handling;
    let latest_reply = 2 * (t.network_ms + t.network_jitter_ms) + handling;
    // The waits between attempts: the interval, times the rate after each, capped.
    let mut waits = 0;
    let mut wait = policy.interval_ms as f64;
    for _ in 1..attempts {
        waits += wait.min(policy.max_delay_ms as f64) as u64;
        wait *= policy.backoff_rate;
    }
    let latest_give_up = attempts * t.step_timeout_ms + waits;
    let soonest_give_up = attempts * t.step_timeout_ms + if policy.jitter { 0 } else { waits };
    const MARGIN_MS: u64 = 50;
    if latest_reply + MARGIN_MS < soonest_give_up {
        Some(true)
    } else if soonest_reply > latest_give_up + MARGIN_MS {
        Some(false)
    } else {
        None
    }
}

/// What added latency means under the rules: `Some(true)` if no reply from the service can come
/// before the step timeout (orchestration), `Some(false)` if it changes nothing the rules decide
/// (replies still in time; or a queue consumer slower than the visibility timeout, whose
/// redelivered message the idempotent consumer drops, well within the receive count), `None`
/// in between, where timing decides.
fn slow_service(scenario: &Scenario, extra_ms: u64) -> Option<bool> {
    let t = &scenario.timing;
    let handling = t.process_ms + extra_ms;
    match scenario.coordination {
        Coordination::Orchestration => {
            let round_trip = 2 * (t.network_ms + t.network_jitter_ms) + handling;
            if handling >= t.step_timeout_ms {
                Some(true)
            } else if round_trip + 200 < t.step_timeout_ms {
                Some(false)
            } else {
                None
            }
        }
        Coordination::Choreography => {
            let visibility = scenario.queues.visibility_timeout_ms.max(1);
            let receives = handling / visibility + 1;
            (receives < u64::from(scenario.queues.max_receive_count)
                && !handling.is_multiple_of(visibility))
            .then_some(false)
        }
    }
}

/// Adds one step-addressed fault to the sagas it is aimed at. `None` if it is not one the
/// model counts (or it is aimed at every saga of several: who meets it is a race).
pub fn add_fault(out: &mut [SagaInput], fault: &FaultSpec, several: bool) -> Option<()> {
    let (step, saga) = match fault {
        FaultSpec::BusinessFailure { step, saga }
        | FaultSpec::TransientError { step, saga, .. }
        | FaultSpec::NoReply { step, saga, .. }
        | FaultSpec::Ambiguous { step, saga, .. }
        | FaultSpec::CompensationFails { step, saga, .. } => (step.checked_sub(1)?, *saga),
        _ => return None,
    };
    if saga.is_none() && several {
        return None;
    }
    for (i, input) in out.iter_mut().enumerate() {
        if saga.is_some_and(|s| s != i) {
            continue;
        }
        let f = input.faults.get_mut(step)?;
        match fault {
            FaultSpec::BusinessFailure { .. } => {
                if f.business {
                    return None;
                }
                f.business = true;
            }
            FaultSpec::TransientError { times, .. } => f.transient += times,
            FaultSpec::NoReply { times, .. } => f.no_reply += times,
            FaultSpec::Ambiguous { times, .. } => {
                // "Took effect, reply lost" more than once: whether a repeat's reply is lost
                // too is not a rule.
                if f.ambiguous > 0 || *times > 1 {
                    return None;
                }
                f.ambiguous += times;
            }
            FaultSpec::CompensationFails { times, .. } => {
                if f.compensation_fails.is_some() {
                    return None;
                }
                f.compensation_fails = Some(*times);
            }
            _ => return None,
        }
    }
    Some(())
}

/// What the rules guarantee whatever the faults: each action and compensation at most once,
/// compensations only of what took effect and in reverse order, and the data consistent with
/// the outcome (invariant 9), the notice truthful. Returns what is wrong, in words.
pub fn consistency(sim: &Simulation, saga: usize) -> Vec<String> {
    let r = observe(sim, saga);
    let mut wrong = Vec::new();
    let def = &sim.scenario().definition;
    let spec = &sim.sagas()[saga].spec;
    let amount = i64::try_from(spec.amount_cents).unwrap_or(i64::MAX);
    let mut seen = r.actions.clone();
    seen.sort_unstable();
    seen.dedup();
    if seen.len() != r.actions.len() {
        wrong.push(format!("an action took effect twice: {:?}", r.actions));
    }
    let mut undone = r.compensations.clone();
    undone.sort_unstable();
    undone.dedup();
    if undone.len() != r.compensations.len() {
        wrong.push(format!(
            "a compensation took effect twice: {:?}",
            r.compensations
        ));
    }
    if let Some(s) = r.compensations.iter().find(|s| !r.actions.contains(s)) {
        wrong.push(format!("step {} undone but never done", s + 1));
    }
    if r.compensations.windows(2).any(|w| w[0] <= w[1]) {
        wrong.push(format!(
            "compensations out of reverse order: {:?}",
            r.compensations
        ));
    }
    if r.notices > 1 {
        wrong.push(format!("failure notice sent {} times", r.notices));
    }
    let ledger = |kind: LedgerKind| {
        sim.tables()
            .ledger
            .iter()
            .any(|l| l.saga == saga && l.kind == kind)
    };
    let (charged, refunded) = (ledger(LedgerKind::Charged), ledger(LedgerKind::Refunded));
    // The definite words that would be true; a conditional refund is true too while no charge
    // is left standing (see `Says`).
    let truthful = if charged {
        Says::Refunded
    } else {
        Says::NothingCharged
    };
    let untrue = r
        .rows
        .failure_rows
        .iter()
        .any(|s| !s.is_true(charged, refunded, r.rows.net_cents));
    match r.fate {
        Fate::Completed => {
            let all: Vec<usize> = (0..def.steps.len()).collect();
            if seen != all {
                wrong.push(format!("completed with actions {:?}", r.actions));
            }
            if r.rows.reservation != Some("CONFIRMED")
                || !r.rows.slot_held
                || r.rows.net_cents != amount
                || r.rows.success_rows != 2
                || !r.rows.failure_rows.is_empty()
            {
                wrong.push(format!("completed but the rows are {:?}", r.rows));
            }
        }
        Fate::Compensated => {
            let compensatable: Vec<usize> = seen
                .iter()
                .copied()
                .filter(|&s| def.steps[s].compensation.is_some())
                .collect();
            let mut expected = compensatable.clone();
            expected.reverse();
            if r.compensations != expected {
                wrong.push(format!(
                    "compensated: undid {:?} but {:?} took effect",
                    r.compensations, r.actions
                ));
            }
            if !matches!(r.rows.reservation, None | Some("CANCELLED"))
                || r.rows.slot_held
                || r.rows.net_cents != 0
                || r.rows.failure_rows.len() != 2
            {
                wrong.push(format!("compensated but the rows are {:?}", r.rows));
            }
            if untrue {
                wrong.push(format!(
                    "the failure notice says {:?}, the truth is {truthful:?}",
                    r.rows.failure_rows
                ));
            }
        }
        Fate::RollbackIncomplete | Fate::AwaitingPerson => {
            if sim.sagas()[saga].stuck.is_none() {
                wrong.push(format!("{:?} but listed for no one", r.fate));
            }
            // A saga that compensated and then cannot deliver its failure notice waits for a
            // person: the notice only goes forward ("if a policy gives up, the saga is flagged
            // for a person"). So it may wait after compensating, but only once its rollback is
            // whole: every step that took effect undone, in reverse, the data as compensated
            // leaves it. A cancel that reached a saga waiting for a person is not a rule.
            let cancelled = sim.sagas()[saga].cancel_requested;
            if r.fate == Fate::AwaitingPerson && !r.compensations.is_empty() && !cancelled {
                let mut whole: Vec<usize> = seen
                    .iter()
                    .copied()
                    .filter(|&s| def.steps[s].compensation.is_some())
                    .collect();
                whole.reverse();
                if r.compensations != whole {
                    wrong.push(format!(
                        "awaiting a person half compensated: undid {:?} but {:?} took effect",
                        r.compensations, r.actions
                    ));
                } else if !matches!(r.rows.reservation, None | Some("CANCELLED"))
                    || r.rows.slot_held
                    || r.rows.net_cents != 0
                    || r.rows.success_rows != 0
                {
                    wrong.push(format!(
                        "awaiting a person after compensating, but the rows are {:?}",
                        r.rows
                    ));
                }
            }
        }
        Fate::Running => {}
    }
    if untrue && r.fate != Fate::Compensated {
        wrong.push(format!(
            "the failure notice says {:?}, the truth is {truthful:?}",
            r.rows.failure_rows
        ));
    }
    wrong
}
