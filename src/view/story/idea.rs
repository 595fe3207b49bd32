//! The ideas of the saga pattern a story can point to, each with its name and a sentence that
//! explains it (the glossary links to them).

/// An idea of the saga pattern an event shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idea {
    /// Undo completed steps with compensating actions, newest first.
    Compensation,
    /// The go/no-go step.
    Pivot,
    /// After the pivot: retry until done.
    ForwardRecovery,
    /// PENDING as a lock others can see.
    SemanticLock,
    /// A request remembered by its key takes effect once.
    Idempotency,
    /// Consumers remember processed event ids.
    IdempotentConsumer,
    /// Queues deliver at least once.
    AtLeastOnce,
    /// Poison messages set aside.
    DeadLetter,
    /// State change and event in one local transaction.
    Outbox,
    /// No reply in time.
    Timeout,
    /// Waiting longer before each retry.
    Backoff,
    /// The orchestrator's durable log.
    DurableLog,
    /// A person must finish the rollback.
    ManualIntervention,
    /// How far one failure reaches.
    BlastRadius,
    /// A step whose outcome is unknown.
    UnknownOutcome,
    /// A central coordinator.
    Orchestration,
    /// Services reacting to events.
    Choreography,
    /// The customer changes their mind.
    Cancellation,
    /// Faults as part of the scenario.
    FaultInjection,
    /// Once the pivot may have taken effect, only forward.
    PointOfNoReturn,
    /// Replies matched to the attempt they answer.
    TaskToken,
    /// A received message hidden for a while, then delivered again.
    VisibilityTimeout,
    /// Committing and publishing as two separate steps.
    DualWrite,
    /// One event delivered to every subscribed queue.
    FanOut,
    /// Two sagas read one record and both write it back: one update is lost.
    LostUpdate,
    /// A saga acted on another's update that was later undone.
    DirtyRead,
    /// Two steps of one saga read one record and saw two values.
    FuzzyRead,
    /// Record operations so that a late one can be put in its place.
    VersionFile,
    /// Updates that change a value in place, so their order does not matter.
    CommutativeUpdates,
    /// Check the record is unchanged before overwriting it.
    RereadValue,
}

impl Idea {
    /// Every idea.
    pub const ALL: [Idea; 30] = [
        Idea::Compensation,
        Idea::Pivot,
        Idea::ForwardRecovery,
        Idea::SemanticLock,
        Idea::Idempotency,
        Idea::IdempotentConsumer,
        Idea::AtLeastOnce,
        Idea::DeadLetter,
        Idea::Outbox,
        Idea::Timeout,
        Idea::Backoff,
        Idea::DurableLog,
        Idea::ManualIntervention,
        Idea::BlastRadius,
        Idea::UnknownOutcome,
        Idea::Orchestration,
        Idea::Choreography,
        Idea::Cancellation,
        Idea::FaultInjection,
        Idea::PointOfNoReturn,
        Idea::TaskToken,
        Idea::VisibilityTimeout,
        Idea::DualWrite,
        Idea::FanOut,
        Idea::LostUpdate,
        Idea::DirtyRead,
        Idea::FuzzyRead,
        Idea::VersionFile,
        Idea::CommutativeUpdates,
        Idea::RereadValue,
    ];

    /// The idea's name.
    pub fn name(self) -> &'static str {
        match self {
            Idea::Compensation => "Compensation",
            Idea::Pivot => "Pivot",
            Idea::ForwardRecovery => "Forward recovery",
            Idea::SemanticLock => "Semantic lock",
            Idea::Idempotency => "Idempotency",
            Idea::IdempotentConsumer => "Idempotent consumer",
            Idea::AtLeastOnce => "At-least-once delivery",
            Idea::DeadLetter => "Dead-letter queue",
            Idea::Outbox => "Transactional outbox",
            Idea::Timeout => "Timeout",
            Idea::Backoff => "Retry with backoff",
            Idea::DurableLog => "Durable saga log",
            Idea::ManualIntervention => "Manual intervention",
            Idea::BlastRadius => "Blast radius",
            Idea::UnknownOutcome => "Unknown outcome",
            Idea::Orchestration => "Orchestration",
            Idea::Choreography => "Choreography",
            Idea::Cancellation => "Cancellation",
            Idea::FaultInjection => "Fault injection",
            Idea::PointOfNoReturn => "Point of no return",
            Idea::TaskToken => "Task token",
            Idea::VisibilityTimeout => "Visibility timeout",
            Idea::DualWrite => "Dual write",
            Idea::FanOut => "Fan-out",
            Idea::LostUpdate => "Lost update",
            Idea::DirtyRead => "Dirty read",
            Idea::FuzzyRead => "Fuzzy read",
            Idea::VersionFile => "Version file",
            Idea::CommutativeUpdates => "Commutative updates",
            Idea::RereadValue => "Reread value",
        }
    }

    /// The idea in one or two sentences.
    pub fn explain(self) -> &'static str {
        match self {
            Idea::Compensation => "A saga cannot roll back other services' databases. It undoes each completed step with a compensating action, in exact reverse order.",
            Idea::Pivot => "The go/no-go step. Failures before it are compensated; once it succeeds the saga can only go forward.",
            Idea::ForwardRecovery => "Steps after the pivot are never undone: they are retried until they succeed, or, if a retry policy gives up, left for a person to finish.",
            Idea::SemanticLock => "A PENDING state or flag says that an unfinished saga may still change this data: the reservation is PENDING until the pivot, and a record a saga took from stays PENDING until it ends. Other sagas wait or are turned away instead of acting on it.",
            Idea::Idempotency => "The service remembers each request by its idempotency key (saga + step), so a retry or a duplicate takes effect only once.",
            Idea::IdempotentConsumer => "Each consumer records the ids of the events it processed in the same transaction, so a redelivered event is ignored.",
            Idea::AtLeastOnce => "A queue delivers each message it keeps at least once: a message not deleted before its visibility timeout is delivered again, and a standard queue may now and then deliver a copy anyway. SQS keeps a message 4 days by default (14 at most); this model keeps it for ever.",
            Idea::DeadLetter => "A message that keeps failing is moved to the dead-letter queue after its maximum receives, so the queue stops handing it out (in a FIFO queue it would also hold up its message group); after a fix it can be redriven.",
            Idea::Outbox => "The service writes its state change and the event to publish in one local transaction; a relay publishes the outbox, so no committed change goes untold and no rolled-back one is told. The relay may publish an event twice, so consumers are idempotent.",
            Idea::Timeout => "No reply in time: the orchestrator cannot tell whether the step happened, so it retries, and idempotency makes that safe.",
            Idea::Backoff => "Each retry waits longer than the last until the waits reach the policy's cap (1 s, 2 s, 4 s, 4 s for the notifier here), giving a struggling service room to recover; jitter, when on, draws each wait at random below that.",
            Idea::DurableLog => "The orchestrator writes every decision to a durable log before acting; after a crash it rebuilds its state from the log and resumes.",
            Idea::ManualIntervention => "Some work the saga cannot finish by itself: a compensation or a step after the pivot that keeps failing, a dead letter, a pivot whose outcome stays unknown. It is listed for a person, who fixes the cause and redrives it.",
            Idea::BlastRadius => "With one shared database, one outage stops every service at once; a database per service keeps the failure contained.",
            Idea::UnknownOutcome => "After a timeout or a lost reply nobody knows whether the step happened: its compensation must do nothing if it never did.",
            Idea::Orchestration => "A central orchestrator tells each service what to do, waits for the reply and decides what comes next.",
            Idea::Choreography => "No coordinator: each service reacts to the events it subscribes to and publishes its own.",
            Idea::Cancellation => "Until the pivot is sent a cancellation aborts the saga and compensates. Once the pivot is sent the saga goes on to its end, then a cancellation saga undoes a completed reservation; after completion that happens at once.",
            Idea::FaultInjection => "Faults are part of the scenario: the same seed and fault plan replay exactly the same run.",
            Idea::PointOfNoReturn => "Once the pivot has been sent and no refusal has come back, it may have taken effect: the saga only goes forward, asking again until it knows.",
            Idea::TaskToken => "Each reply carries the token of the attempt it answers (a correlation id); a reply to an attempt no longer awaited, or already heard, is ignored.",
            Idea::VisibilityTimeout => "A received message is hidden for the visibility timeout; if it is not deleted by then, even by a consumer that is only slow, it is delivered again.",
            Idea::DualWrite => "Committing a change and then publishing its event are two steps: a crash between them loses the event unless an outbox keeps it.",
            Idea::FanOut => "A topic delivers each event to every queue subscribed to it, so one event can concern several services.",
            Idea::LostUpdate => "A saga has no isolation: two sagas can read the same record and each write back a value worked out from what it read, so the second write wipes out the first.",
            Idea::VersionFile => "A service records the operations it performs for each saga, so that one arriving out of order, an action after its own compensation, is refused rather than done with nothing left to undo it.",
            Idea::FuzzyRead => "One saga reads the same record in two of its steps and sees two values, because another saga wrote it in between: the first step acted on a value the second no longer finds.",
            Idea::DirtyRead => "A saga's update is visible as soon as its step commits, though the saga may still undo it: another saga that acts on it (refuses a customer for a table that is then released) read data that never stood.",
            Idea::CommutativeUpdates => "Change a value in place (one table fewer, the amount off the card) instead of writing back a value worked out earlier: updates in any order give the same result, so none is lost.",
            Idea::RereadValue => "Before overwriting a record, read it again: if another saga changed it since the first read, write nothing and try the step again.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_idea_is_explained() {
        for idea in Idea::ALL {
            assert!(!idea.name().is_empty());
            assert!(idea.explain().ends_with('.'), "{idea:?}");
        }
    }
}
