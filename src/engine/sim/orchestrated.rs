//! The orchestrator at work: how the simulation runs the decisions of orchestration (the log's
//! records and the memory they fold into live in `engine/orchestration.rs`, which knows nothing
//! of the simulation).
//!
//! Every decision is first written to the log and then applied to the memory. A reply carries
//! its task token: only the reply to the command awaited now decides anything. Once the pivot has
//! been sent the saga only goes forward: a pivot whose outcome stays unknown, a retriable step or
//! the failure notice out of retries waits for a person and a redrive resumes it.
//!
//! One file, though long: the orchestrator's handlers (start, reply, timeout, cancel, crash and
//! restart, redrive) each read across the same few decisions, and splitting them scatters one
//! state machine.

use super::{DedupKey, Occurrence, Served, Simulation, StepStatus};
use crate::engine::definition::{ServiceId, StepKind};
use crate::engine::event::{AttentionReason, CompensationReason, EventKind, LossReason, Outcome};
use crate::engine::message::{
    Body, EventName, Message, MessageId, MessageState, Node, SagaId, Task, TaskResult,
};
use crate::engine::scenario::RetryPolicy;

use crate::engine::orchestration::{Heard, LogRecord, OrchestratorState, Phase, SagaMemory};

impl Simulation {
    fn write_log(&mut self, saga: SagaId, record: LogRecord) {
        self.orchestrator.write(self.now_ms, saga, record);
    }

    fn memory(&self, saga: SagaId) -> Option<&SagaMemory> {
        self.orchestrator.memory.get(&saga)
    }

    /// The saga's memory, if a timer set in `epoch` still means anything: timers set before a
    /// crash died with the orchestrator's memory.
    fn memory_for_timer(&self, saga: SagaId, epoch: u32) -> Option<&SagaMemory> {
        if self.orchestrator.down || epoch != self.orchestrator.epoch {
            return None;
        }
        self.memory(saga)
    }

    fn policy_for(&self, task: Task) -> RetryPolicy {
        self.scenario
            .retry
            .for_task(task, &self.scenario.definition)
            .clone()
    }

    pub(super) fn orchestrator_receive(&mut self, message: Message) {
        let id = message.id;
        if self.orchestrator.down {
            if matches!(message.body, Body::Event { .. }) {
                // The front door keeps customer requests durably until the orchestrator is back.
                self.set_message_state(id, MessageState::Queued);
                self.orchestrator.held.push(id);
            } else {
                self.lose(id, LossReason::ReceiverDown);
            }
            return;
        }
        self.arrived(&message);
        self.orchestrator_handle(message);
    }

    fn orchestrator_handle(&mut self, message: Message) {
        let saga = message.saga;
        match message.body {
            Body::Event {
                name: EventName::Start,
            } if self
                .memory(saga)
                .is_none_or(|m| m.phase == Phase::AwaitingStart) =>
            {
                self.orchestrator_start(saga)
            }
            Body::Event {
                name: EventName::CancelRequested,
            } => self.orchestrator_cancel(saga),
            Body::Reply {
                task,
                attempt,
                result,
                changed,
            } => self.orchestrator_reply(saga, task, attempt, result, changed, &message),
            _ => {}
        }
    }

    fn orchestrator_start(&mut self, saga: SagaId) {
        let cancelled = self.memory(saga).is_some_and(|m| m.cancel_requested);
        self.write_log(saga, LogRecord::Started);
        if cancelled {
            // The customer cancelled before the start reached the orchestrator: nothing has taken
            // effect, so abort at once and tell both parties.
            self.begin_compensation(saga, 0, CompensationReason::CancelledBeforePivot);
        } else {
            self.decide(saga, Phase::Forward(0));
        }
    }

    /// Whether the pivot's command has been sent: from then on the pivot may have taken effect,
    /// and the saga only goes forward.
    fn pivot_sent(&self, memory: &SagaMemory) -> bool {
        let Some(pivot) = self.scenario.definition.pivot() else {
            return false;
        };
        match memory.phase {
            Phase::Forward(step) => step > pivot || (step == pivot && memory.attempt > 0),
            Phase::AwaitingPerson {
                task: Task::Action(step),
                ..
            } => step >= pivot,
            _ => false,
        }
    }

    fn orchestrator_cancel(&mut self, saga: SagaId) {
        let memory = self.memory(saga).cloned();
        if memory.as_ref().is_some_and(|m| m.cancel_requested) {
            return;
        }
        // Logged even before the saga's start has arrived: the start then aborts at once.
        self.write_log(saga, LogRecord::CancelRequested);
        let Some(memory) = memory else {
            return;
        };
        if self.pivot_sent(&memory) {
            // The saga completes; the cancellation saga follows its completion (`after_heard`).
            return;
        }
        match memory.phase {
            Phase::Ended(Outcome::Completed) => {
                self.begin_compensation(
                    saga,
                    usize::MAX,
                    CompensationReason::CancelledAfterCompletion,
                );
            }
            // Before the pivot, abort now unless a command is out: then decide on its answer.
            Phase::Forward(step) if memory.awaiting.is_none() => {
                self.begin_compensation(saga, step + 1, CompensationReason::CancelledBeforePivot);
            }
            _ => {}
        }
    }

    fn orchestrator_reply(
        &mut self,
        saga: SagaId,
        task: Task,
        attempt: u32,
        result: TaskResult,
        changed: Option<bool>,
        message: &Message,
    ) {
        let token = message.event_id;
        let memory = self.memory(saga).cloned();
        let current = memory.as_ref().filter(|m| m.phase.task() == Some(task));
        // Only the reply to the command awaited now counts (its task token): an answer to an
        // attempt that timed out, or to a task no longer current, never decides anything.
        if current.is_none_or(|m| m.awaiting != Some(token)) {
            let late_done = result == TaskResult::Done && matches!(task, Task::Action(_));
            if self.answer_heard(saga, token) {
                self.emit(
                    Some(saga),
                    EventKind::ReplyIgnored {
                        message: message.id,
                    },
                );
            } else {
                let awaited = current.and_then(|m| m.awaiting.map(|_| m.attempt));
                self.emit(
                    Some(saga),
                    EventKind::ReplyStale {
                        message: message.id,
                        attempt,
                        awaited,
                    },
                );
            }
            if late_done {
                self.heard_late_done(saga, task, attempt);
            }
            return;
        }
        if let (Task::Compensate(step), Some(changed)) = (task, changed) {
            self.write_log(saga, LogRecord::UndoReported { step, changed });
        }
        self.write_log(
            saga,
            LogRecord::Heard {
                task,
                attempt,
                heard: Heard::Reply(result),
            },
        );
        self.after_heard(saga, task, Heard::Reply(result));
    }

    /// A "done" that decided nothing is still knowledge: the step took effect. It is logged, so
    /// the step counts among those to undo; it never decides an attempt (a retry still asks, and
    /// the service's idempotency answers it "done"). A pivot or retriable step heard done this
    /// way is never given up: the saga goes forward when its retries run out. A pivot heard done after
    /// the saga turned back crossed the point of no return after all: the undoing stops and a
    /// person decides.
    fn heard_late_done(&mut self, saga: SagaId, task: Task, attempt: u32) {
        let Some(memory) = self.memory(saga) else {
            return;
        };
        let Task::Action(step) = task else {
            return;
        };
        if memory.done.contains(&step) {
            return;
        }
        let turned_back = matches!(
            memory.phase,
            Phase::Compensating(_) | Phase::NotifyingFailure
        );
        self.write_log(saga, LogRecord::HeardLate { task, attempt });
        if turned_back && self.scenario.definition.pivot() == Some(step) {
            self.decide(
                saga,
                Phase::AwaitingPerson {
                    task,
                    reason: AttentionReason::PivotOutcomeUnknown,
                },
            );
        }
    }

    /// Whether a reply to the command with task token `token` has already been heard (this one
    /// is then a duplicate rather than a stale answer). A saga has one command out at a time, so
    /// what the log records next for it after the request tells.
    fn answer_heard(&self, saga: SagaId, token: u32) -> bool {
        let mut records = self
            .orchestrator
            .log
            .iter()
            .filter(|e| e.saga == saga)
            .map(|e| e.record)
            .skip_while(|r| !matches!(r, LogRecord::Requested { token: t, .. } if *t == token))
            .skip(1);
        // The next answer or new command (a resend under the same token is the same command).
        records
            .find(|r| match r {
                LogRecord::Heard { .. } => true,
                LogRecord::Requested { token: t, .. } => *t != token,
                _ => false,
            })
            .is_some_and(|r| {
                matches!(
                    r,
                    LogRecord::Heard {
                        heard: Heard::Reply(_),
                        ..
                    }
                )
            })
    }

    pub(super) fn orchestrator_timeout(
        &mut self,
        saga: SagaId,
        task: Task,
        attempt: u32,
        token: u32,
        epoch: u32,
    ) {
        let Some(memory) = self.memory_for_timer(saga, epoch) else {
            return;
        };
        if !(memory.awaiting == Some(token) && memory.phase.task() == Some(task)) {
            return;
        }
        self.emit(Some(saga), EventKind::TimedOut { task, attempt });
        self.write_log(
            saga,
            LogRecord::Heard {
                task,
                attempt,
                heard: Heard::TimedOut,
            },
        );
        self.after_heard(saga, task, Heard::TimedOut);
    }

    pub(super) fn orchestrator_retry(
        &mut self,
        saga: SagaId,
        task: Task,
        attempt: u32,
        epoch: u32,
    ) {
        let Some(memory) = self.memory_for_timer(saga, epoch) else {
            return;
        };
        if memory.awaiting.is_some()
            || memory.phase.task() != Some(task)
            || memory.attempt + 1 != attempt
        {
            return;
        }
        self.request(saga, task, attempt, None);
    }

    /// The orchestrator's decision after hearing how an attempt went.
    fn after_heard(&mut self, saga: SagaId, task: Task, heard: Heard) {
        let Some(memory) = self.memory(saga).cloned() else {
            return;
        };
        let steps = self.step_count();
        let pivot = self.scenario.definition.pivot().unwrap_or(usize::MAX);
        let kind = task
            .step()
            .and_then(|s| self.scenario.definition.steps.get(s))
            .map(|d| d.kind);
        match heard {
            Heard::Reply(TaskResult::Done) => {
                self.note_result(saga, task, TaskResult::Done);
                match task {
                    Task::Action(step) => {
                        if (memory.cancel_requested && step < pivot)
                            || crate::engine::defect::compensates_after(self.defect, step, pivot)
                        {
                            self.begin_compensation(
                                saga,
                                step + 1,
                                CompensationReason::CancelledBeforePivot,
                            );
                        } else if step + 1 < steps {
                            self.decide(saga, Phase::Forward(step + 1));
                        } else {
                            self.decide(saga, Phase::Ended(Outcome::Completed));
                            if memory.cancel_requested {
                                self.begin_compensation(
                                    saga,
                                    usize::MAX,
                                    CompensationReason::CancelledAfterCompletion,
                                );
                            }
                        }
                    }
                    Task::Compensate(step) => self.next_compensation(saga, step),
                    Task::FailureNotice => self.decide(saga, Phase::Ended(Outcome::Compensated)),
                }
            }
            Heard::Reply(TaskResult::BusinessFailure) if matches!(task, Task::Action(s) if self.scenario.definition.is_before_commit(s)) =>
            {
                self.note_result(saga, task, TaskResult::BusinessFailure);
                if let Task::Action(step) = task {
                    self.begin_compensation(saga, step, CompensationReason::BusinessFailure);
                }
            }
            // A cancelled saga before its pivot is not retried: abort now, undoing this step too
            // if its outcome is unknown.
            _ if memory.cancel_requested && matches!(task, Task::Action(s) if s < pivot) => {
                self.set_status(saga, task, StepStatus::Failed);
                if let Task::Action(step) = task {
                    self.begin_compensation(
                        saga,
                        step + 1,
                        CompensationReason::CancelledBeforePivot,
                    );
                }
            }
            _ => {
                let policy = self.policy_for(task);
                if policy.allows(crate::engine::defect::attempts_counted(
                    self.defect,
                    memory.attempt,
                )) {
                    self.schedule_retry(saga, task, memory.attempt + 1, &policy);
                    return;
                }
                match (task, kind) {
                    // Every answer awaited was an error or a timeout, but a copy of this forward
                    // step's command was heard done: it took effect (for the pivot, the point of
                    // no return is crossed), so go forward.
                    (Task::Action(step), Some(StepKind::Pivot | StepKind::Retriable))
                        if memory.done.contains(&step) =>
                    {
                        self.after_heard(saga, task, Heard::Reply(TaskResult::Done));
                    }
                    // The pivot may have taken effect: never go back; a person decides. An
                    // attempt that timed out or lost its reply may have, and so may one answered
                    // only by errors: an error says that one copy of the command did nothing,
                    // not that every copy did (the network may have delivered it twice, the
                    // other copy taking effect with its reply lost). Only a business rejection
                    // says the pivot did not happen, and that compensates when it is heard.
                    (Task::Action(_), Some(StepKind::Pivot))
                        if !crate::engine::defect::compensates_unknown_pivot(self.defect) =>
                    {
                        self.decide(
                            saga,
                            Phase::AwaitingPerson {
                                task,
                                reason: AttentionReason::PivotOutcomeUnknown,
                            },
                        );
                    }
                    (Task::Action(_), Some(StepKind::Retriable)) => {
                        self.set_status(saga, task, StepStatus::Failed);
                        self.decide(
                            saga,
                            Phase::AwaitingPerson {
                                task,
                                reason: AttentionReason::ForwardStepExhausted,
                            },
                        );
                    }
                    (Task::Action(step), _) => {
                        // Out of retries before the pivot: undo what took effect, including this
                        // step if it may have (a timeout leaves its outcome unknown).
                        self.set_status(saga, task, StepStatus::Failed);
                        self.begin_compensation(
                            saga,
                            step + 1,
                            CompensationReason::RetriesExhausted,
                        );
                    }
                    (Task::Compensate(step), _) => {
                        self.set_status(saga, task, StepStatus::Failed);
                        self.decide(saga, Phase::AwaitingIntervention(step));
                        self.end_saga(saga, Outcome::RollbackIncomplete);
                        self.mark_stuck(saga, Some((task, AttentionReason::CompensationExhausted)));
                    }
                    (Task::FailureNotice, _) => {
                        self.set_status(saga, task, StepStatus::Failed);
                        self.decide(
                            saga,
                            Phase::AwaitingPerson {
                                task,
                                reason: AttentionReason::FailureNoticeExhausted,
                            },
                        );
                    }
                }
            }
        }
    }

    /// Schedules attempt `next` of `task` after the policy's (capped) backoff.
    fn schedule_retry(&mut self, saga: SagaId, task: Task, next: u32, policy: &RetryPolicy) {
        self.set_status(
            saga,
            task,
            if matches!(task, Task::Compensate(_)) {
                StepStatus::Compensating
            } else {
                StepStatus::Retrying
            },
        );
        let mut delay = policy.delay_before(next);
        if policy.jitter {
            delay = self.rng.up_to(delay);
        }
        self.emit(
            Some(saga),
            EventKind::RetryScheduled {
                task,
                attempt: next,
                delay_ms: delay,
            },
        );
        let epoch = self.orchestrator.epoch;
        self.schedule_seq(
            self.now_ms + delay,
            Occurrence::Retry {
                saga,
                task,
                attempt: next,
                epoch,
            },
        );
    }

    /// Starts undoing every compensatable step below `below` that took effect or may have: one
    /// heard done, one whose outcome is unknown, and one sent and never refused (before the
    /// pivot an undo that finds nothing to undo does nothing, and says so).
    fn begin_compensation(&mut self, saga: SagaId, below: usize, reason: CompensationReason) {
        self.emit(Some(saga), EventKind::CompensationBegun { reason });
        if reason == CompensationReason::CancelledAfterCompletion {
            if let Some(record) = self.sagas.get_mut(saga) {
                record.cancelling = true;
            }
            self.end_saga(saga, Outcome::Running);
        }
        self.next_compensation(saga, below);
    }

    fn next_compensation(&mut self, saga: SagaId, below: usize) {
        let Some(memory) = self.memory(saga) else {
            return;
        };
        let pivot = self.scenario.definition.pivot().unwrap_or(usize::MAX);
        let next = self
            .scenario
            .definition
            .compensations_below(below)
            .find(|s| {
                memory.done.contains(s)
                    || memory.unknown.contains(s)
                    || (memory.sent.contains(s) && *s < pivot)
            });
        match next {
            Some(step) => self.decide(saga, Phase::Compensating(step)),
            None => self.decide(saga, Phase::NotifyingFailure),
        }
    }

    fn decide(&mut self, saga: SagaId, phase: Phase) {
        self.write_log(saga, LogRecord::Decided { phase });
        match phase {
            Phase::Ended(outcome) => self.end_saga(saga, outcome),
            Phase::AwaitingPerson { task, reason } => {
                self.end_saga(saga, Outcome::AwaitingPerson);
                self.mark_stuck(saga, Some((task, reason)));
            }
            Phase::AwaitingStart | Phase::AwaitingIntervention(_) => {}
            Phase::Forward(_) | Phase::Compensating(_) | Phase::NotifyingFailure => {
                if let Some(task) = phase.task() {
                    self.request(saga, task, 1, None);
                }
            }
        }
    }

    /// Logs and sends attempt `attempt` of `task`, and sets its reply timeout. A new command gets
    /// a fresh task token; `resend` sends the command awaited under that token again (after a
    /// restart), which the service's idempotency key makes safe.
    fn request(&mut self, saga: SagaId, task: Task, attempt: u32, resend: Option<u32>) {
        let Some(service) = task.service(&self.scenario.definition) else {
            return;
        };
        let token = match resend {
            Some(token) => token,
            None => self.new_event_id(),
        };
        self.write_log(
            saga,
            LogRecord::Requested {
                task,
                attempt,
                token,
            },
        );
        self.note_attempt(saga, task, attempt);
        let money = match task {
            Task::FailureNotice => self.notice_money_from_orchestrator(saga),
            _ => None,
        };
        self.send(
            saga,
            Node::Orchestrator,
            Node::Service(service),
            Body::Command {
                task,
                attempt,
                money,
            },
            token,
            self.now_ms,
        );
        let epoch = self.orchestrator.epoch;
        let timeout = self.scenario.timing.step_timeout_ms;
        self.schedule_seq(
            self.now_ms + timeout,
            Occurrence::Timeout {
                saga,
                task,
                attempt,
                token,
                epoch,
            },
        );
    }

    /// A service receives a command from the orchestrator and answers it. A command on a
    /// shared record is read now and decided and written when its handling time is over (the
    /// reply leaves then, as any reply does); any other is served at once.
    pub(super) fn service_receive_command(&mut self, service: ServiceId, message: Message) {
        let id = message.id;
        if !self.service_up(service)
            || crate::engine::defect::turns_away(self.defect, service, &message.body)
        {
            self.lose(id, LossReason::ReceiverDown);
            return;
        }
        self.arrived(&message);
        let Body::Command { task, .. } = message.body else {
            return;
        };
        let handling = self.scenario.timing.process_ms + self.latency_ms(service);
        if self.begin_read(service, message.saga, task, id) {
            self.schedule_seq(
                self.now_ms + handling,
                Occurrence::HandleCommand {
                    service,
                    message: id,
                },
            );
            return;
        }
        self.answer_command(service, &message, handling);
    }

    /// The handling of a command on a shared record is over: the service decides, writes and
    /// answers, unless it went down meanwhile (then the orchestrator's timeout will tell).
    pub(super) fn finish_command(&mut self, service: ServiceId, message: MessageId) {
        match self.messages.get(message as usize).cloned() {
            Some(m) if self.service_up(service) => self.answer_command(service, &m, 0),
            _ => self.end_read(message),
        }
    }

    /// Serves a command and sends the reply `after` ms from now.
    fn answer_command(&mut self, service: ServiceId, message: &Message, after: u64) {
        let Body::Command {
            task,
            attempt,
            money,
        } = message.body
        else {
            return;
        };
        let saga = message.saga;
        let served = self.serve(
            service,
            saga,
            task,
            DedupKey::Key,
            (money, Some(message.id)),
        );
        let (result, changed) = match served {
            Served::Answered(r, c) => (r, Some(c)),
            Served::Repeat(r, c) => (r, c),
            Served::Failed(_) => (TaskResult::TransientError, None),
            Served::Hung | Served::AnswerLost(_) => return,
        };
        // Only a compensation says what it changed: the notice's money fact comes from it.
        let changed = changed.filter(|_| matches!(task, Task::Compensate(_)));
        let depart = self.now_ms + after;
        // The reply carries the command's task token back.
        let event = message.event_id;
        self.send(
            saga,
            Node::Service(service),
            Node::Orchestrator,
            Body::Reply {
                task,
                attempt,
                result,
                changed,
            },
            event,
            depart,
        );
    }

    pub(super) fn orchestrator_crash(&mut self) {
        if self.scenario.coordination != crate::engine::scenario::Coordination::Orchestration
            || self.orchestrator.down
        {
            return;
        }
        self.orchestrator.down = true;
        self.orchestrator.epoch += 1;
        self.orchestrator.memory.clear();
        self.emit(None, EventKind::OrchestratorCrashed);
    }

    pub(super) fn orchestrator_recover(&mut self) {
        if !self.orchestrator.down {
            return;
        }
        self.orchestrator.down = false;
        self.orchestrator.memory = OrchestratorState::replay(&self.orchestrator.log);
        let replayed = u32::try_from(self.orchestrator.log.len()).unwrap_or(u32::MAX);
        let in_progress: Vec<(SagaId, SagaMemory)> = self
            .orchestrator
            .memory
            .iter()
            .filter(|(_, m)| m.phase.task().is_some())
            .map(|(s, m)| (*s, m.clone()))
            .collect();
        self.emit(
            None,
            EventKind::OrchestratorRecovered {
                resumed: u32::try_from(in_progress.len()).unwrap_or(u32::MAX),
                replayed,
            },
        );
        for (saga, memory) in in_progress {
            let Some(task) = memory.phase.task() else {
                continue;
            };
            if let Some(token) = memory.awaiting {
                // The reply may be lost: ask again with the same attempt; idempotency makes it safe.
                self.request(saga, task, memory.attempt, Some(token));
            } else if let Some(heard) = memory.last_heard {
                // A retry was waiting when the orchestrator crashed: its timer is gone, decide again.
                self.after_heard(saga, task, heard);
            } else {
                self.request(saga, task, memory.attempt + 1, None);
            }
        }
        for id in std::mem::take(&mut self.orchestrator.held) {
            if let Some(message) = self.messages.get(id as usize).cloned() {
                self.arrived(&message);
                self.orchestrator_handle(message);
            }
        }
    }

    /// Resumes every saga waiting for a person: a stuck compensation is tried again, and a task
    /// that may only go forward (the pivot whose outcome is unknown, a step after the pivot, the
    /// failure notice) is asked again. Each begins a new series of attempts, numbered from 1
    /// again, with the task's retry policy in full: attempts are counted per series.
    pub(super) fn orchestrator_redrive(&mut self) {
        if self.orchestrator.down {
            return;
        }
        let stuck: Vec<(SagaId, Phase)> = self
            .orchestrator
            .memory
            .iter()
            .filter_map(|(s, m)| match m.phase {
                Phase::AwaitingIntervention(step) => Some((*s, Phase::Compensating(step))),
                Phase::AwaitingPerson { task, .. } => match task {
                    Task::Action(step) => Some((*s, Phase::Forward(step))),
                    Task::Compensate(step) => Some((*s, Phase::Compensating(step))),
                    Task::FailureNotice => Some((*s, Phase::NotifyingFailure)),
                },
                _ => None,
            })
            .collect();
        for (saga, resume) in stuck {
            self.mark_stuck(saga, None);
            self.end_saga(saga, Outcome::Running);
            self.decide(saga, resume);
        }
    }
}
