//! The glossary: a short entry for every idea the narration names, each with where to read more.
//!
//! The narration links each event's idea to an entry ([`for_idea`]); [`glossary_html`] draws the
//! panel that lists them all, with the selected one marked so the page can scroll to it, and
//! after them where the model simplifies reality ([`MODEL_NOTES`]).

use super::command::Command;
use super::html::Html;
use super::story::Idea;

/// Where an entry's idea is written down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// The work or page's title.
    pub title: &'static str,
    /// Authors, venue, year, pages or chapter.
    pub detail: &'static str,
    /// A link, when there is a stable one.
    pub url: Option<&'static str>,
}

/// One glossary entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Its id: the `data-term` that links to it, and the tail of its element id.
    pub id: &'static str,
    /// The term.
    pub term: &'static str,
    /// Two to four plain sentences.
    pub text: &'static str,
    /// Where to read more.
    pub sources: &'static [Source],
}

const SAGAS_1987: Source = Source {
    title: "H. Garcia-Molina and K. Salem, “Sagas”",
    detail: "Proc. ACM SIGMOD 1987, pp. 249–259",
    url: Some("https://doi.org/10.1145/38713.38742"),
};

const PATTERNS_CH3: Source = Source {
    title: "C. Richardson, Microservices Patterns",
    detail: "Manning, 2018, ch. 3 “Interprocess communication in a microservice architecture”",
    url: None,
};

const PATTERNS_CH4: Source = Source {
    title: "C. Richardson, Microservices Patterns",
    detail: "Manning, 2018, ch. 4 “Managing transactions with sagas”",
    url: None,
};

const ISOLATION_CRITIQUE: Source = Source {
    title: "H. Berenson, P. Bernstein, J. Gray, J. Melton, E. O'Neil and P. O'Neil, “A Critique of ANSI SQL Isolation Levels”",
    detail: "Proc. ACM SIGMOD 1995, pp. 1–10 (P1, dirty read; P2, fuzzy read; P4, lost update)",
    url: Some("https://doi.org/10.1145/223784.223785"),
};

const IO_SAGA: Source = Source {
    title: "Pattern: Saga",
    detail: "C. Richardson, microservices.io",
    url: Some("https://microservices.io/patterns/data/saga.html"),
};

const IO_OUTBOX: Source = Source {
    title: "Pattern: Transactional outbox",
    detail: "C. Richardson, microservices.io",
    url: Some("https://microservices.io/patterns/data/transactional-outbox.html"),
};

const IO_IDEMPOTENT_CONSUMER: Source = Source {
    title: "Pattern: Idempotent Consumer",
    detail: "C. Richardson, microservices.io",
    url: Some("https://microservices.io/patterns/communication-style/idempotent-consumer.html"),
};

const IO_DATABASE_PER_SERVICE: Source = Source {
    title: "Pattern: Database per service",
    detail: "C. Richardson, microservices.io",
    url: Some("https://microservices.io/patterns/data/database-per-service.html"),
};

const IO_POLLING_PUBLISHER: Source = Source {
    title: "Pattern: Polling publisher",
    detail: "C. Richardson, microservices.io",
    url: Some("https://microservices.io/patterns/data/polling-publisher.html"),
};

const IO_LOG_TAILING: Source = Source {
    title: "Pattern: Transaction log tailing",
    detail: "C. Richardson, microservices.io",
    url: Some("https://microservices.io/patterns/data/transaction-log-tailing.html"),
};

const AWS_SAGA: Source = Source {
    title: "Saga pattern",
    detail: "AWS Prescriptive Guidance, Cloud design patterns, architectures, and implementations",
    url: Some(
        "https://docs.aws.amazon.com/prescriptive-guidance/latest/cloud-design-patterns/saga.html",
    ),
};

const AWS_SAGA_ORCHESTRATION: Source = Source {
    title: "Saga orchestration pattern",
    detail: "AWS Prescriptive Guidance, Cloud design patterns, architectures, and implementations",
    url: Some("https://docs.aws.amazon.com/prescriptive-guidance/latest/cloud-design-patterns/saga-orchestration.html"),
};

const AWS_SAGA_CHOREOGRAPHY: Source = Source {
    title: "Saga choreography pattern",
    detail: "AWS Prescriptive Guidance, Cloud design patterns, architectures, and implementations",
    url: Some("https://docs.aws.amazon.com/prescriptive-guidance/latest/cloud-design-patterns/saga-choreography.html"),
};

const AWS_RETRY_BACKOFF: Source = Source {
    title: "Retry with backoff pattern",
    detail: "AWS Prescriptive Guidance, Cloud design patterns, architectures, and implementations",
    url: Some("https://docs.aws.amazon.com/prescriptive-guidance/latest/cloud-design-patterns/retry-backoff.html"),
};

const AWS_OUTBOX: Source = Source {
    title: "Transactional outbox pattern",
    detail: "AWS Prescriptive Guidance, Cloud design patterns, architectures, and implementations",
    url: Some("https://docs.aws.amazon.com/prescriptive-guidance/latest/cloud-design-patterns/transactional-outbox.html"),
};

const AWS_STEP_FUNCTIONS_ERRORS: Source = Source {
    title: "Handling errors in Step Functions workflows",
    detail: "AWS Step Functions Developer Guide (Retry: ErrorEquals, IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds, JitterStrategy; Catch; TimeoutSeconds)",
    url: Some("https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"),
};

const AWS_SQS_DLQ: Source = Source {
    title: "Using dead-letter queues in Amazon SQS",
    detail: "Amazon SQS Developer Guide",
    url: Some("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html"),
};

const AWS_SQS_VISIBILITY: Source = Source {
    title: "Amazon SQS visibility timeout",
    detail: "Amazon SQS Developer Guide",
    url: Some("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html"),
};

const AWS_SQS_STANDARD: Source = Source {
    title: "Amazon SQS standard queues",
    detail: "Amazon SQS Developer Guide (at-least-once delivery, best-effort ordering)",
    url: Some("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html"),
};

const AWS_SQS_QUOTAS: Source = Source {
    title: "Amazon SQS message quotas",
    detail: "Amazon SQS Developer Guide (message retention period)",
    url: Some("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html"),
};

const AWS_SQS_REDRIVE: Source = Source {
    title: "Configure a dead-letter queue redrive in Amazon SQS",
    detail: "Amazon SQS Developer Guide",
    url: Some("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html"),
};

const AWS_SQS_FIFO: Source = Source {
    title: "Amazon SQS FIFO queues",
    detail: "Amazon SQS Developer Guide (message groups, deduplication interval)",
    url: Some("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-fifo-queues.html"),
};

const AWS_SQS_EXACTLY_ONCE: Source = Source {
    title: "Exactly-once processing in Amazon SQS",
    detail: "Amazon SQS Developer Guide (FIFO queues, 5-minute deduplication interval)",
    url: Some("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html"),
};

const AWS_FIS: Source = Source {
    title: "What is AWS Fault Injection Service?",
    detail: "AWS Fault Injection Service User Guide",
    url: Some("https://docs.aws.amazon.com/fis/latest/userguide/what-is.html"),
};

const AWS_STEP_FUNCTIONS_TASK_TOKEN: Source = Source {
    title: "Wait for a callback with a task token",
    detail: "AWS Step Functions Developer Guide, service integration patterns",
    url: Some("https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token"),
};

const AWS_SNS_FANOUT: Source = Source {
    title: "Fanout Amazon SNS notifications to Amazon SQS queues",
    detail: "Amazon SNS Developer Guide",
    url: Some("https://docs.aws.amazon.com/sns/latest/dg/sns-sqs-as-subscriber.html"),
};

const SKEEN_1981: Source = Source {
    title: "D. Skeen, “Nonblocking Commit Protocols”",
    detail: "Proc. ACM SIGMOD 1981, pp. 133–142 (three-phase commit)",
    url: Some("https://doi.org/10.1145/582318.582339"),
};

const GRAY_REUTER: Source = Source {
    title: "J. Gray and A. Reuter, Transaction Processing: Concepts and Techniques",
    detail: "Morgan Kaufmann, 1992 (two-phase commit)",
    url: None,
};

const BERNSTEIN_1987: Source = Source {
    title: "P. A. Bernstein, V. Hadzilacos and N. Goodman, Concurrency Control and Recovery in Database Systems",
    detail: "Addison-Wesley, 1987, ch. 7 “Distributed Recovery” (two-phase and three-phase commit)",
    url: None,
};

const VOGELS_2009: Source = Source {
    title: "W. Vogels, “Eventually Consistent”",
    detail: "Communications of the ACM 52(1), 2009, pp. 40–44",
    url: Some("https://doi.org/10.1145/1435417.1435432"),
};

const EIP_CORRELATION: Source = Source {
    title: "Correlation Identifier",
    detail: "G. Hohpe and B. Woolf, Enterprise Integration Patterns, Addison-Wesley, 2003",
    url: Some("https://www.enterpriseintegrationpatterns.com/patterns/messaging/CorrelationIdentifier.html"),
};

/// Every entry, in reading order: the saga itself, its steps, recovery, messaging, failures.
pub const ENTRIES: &[Entry] = &[
    Entry {
        id: "saga",
        term: "Saga",
        text: "A saga is a long-lived transaction written as a sequence of local transactions, each committed on its own in one service's database. If the sequence cannot finish, the saga runs compensating transactions for the steps already committed. It gives up isolation between sagas in exchange for never holding locks across services.",
        sources: &[SAGAS_1987, PATTERNS_CH4, IO_SAGA, AWS_SAGA],
    },
    Entry {
        id: "compensation",
        term: "Compensating transaction",
        text: "A compensating transaction semantically undoes a step that already committed: a refund for a charge, a release for a booking. It does not restore the old bytes; other sagas may have seen the change meanwhile. Compensations run newest first and must be able to run again safely, so they are retried; one that keeps failing leaves the rollback incomplete, for a person to finish.",
        sources: &[SAGAS_1987, PATTERNS_CH4, AWS_SAGA],
    },
    Entry {
        id: "compensatable-step",
        term: "Compensatable step",
        text: "A step before the pivot that has a compensating transaction. If a later step fails, it is undone. Here: create the PENDING reservation, charge the card, book the slot.",
        sources: &[PATTERNS_CH4],
    },
    Entry {
        id: "pivot-step",
        term: "Pivot step",
        text: "The go/no-go step of a saga. If it fails, the compensatable steps before it are undone; once it succeeds, the saga can only run to completion. Here the restaurant confirming the reservation is the pivot.",
        sources: &[PATTERNS_CH4],
    },
    Entry {
        id: "retriable-step",
        term: "Retriable step",
        text: "A step after the pivot. It is never undone, so it must be able to succeed eventually: it is retried until it does, and if a retry policy gives up, a person finishes it. Here: notifying the customer and the restaurant.",
        sources: &[PATTERNS_CH4],
    },
    Entry {
        id: "backward-recovery",
        term: "Backward recovery",
        text: "Recovering a saga that cannot finish by running the compensating transactions of its committed steps in reverse order. It is a semantic undo, not a return to the state before: the ledger keeps both the CHARGED and the REFUNDED entry, both parties are told that the reservation failed, and other sagas may have seen, and acted on, the intermediate state.",
        sources: &[SAGAS_1987, PATTERNS_CH4, AWS_SAGA],
    },
    Entry {
        id: "forward-recovery",
        term: "Forward recovery",
        text: "Recovering a saga by finishing it instead of undoing it: the failed step is retried until it succeeds, or handed to a person if a retry policy gives up. It needs steps that eventually succeed, which is why the steps after the pivot must be retriable.",
        sources: &[SAGAS_1987, PATTERNS_CH4],
    },
    Entry {
        id: "semantic-lock",
        term: "Semantic lock",
        text: "A countermeasure for a saga's lack of isolation: a compensatable transaction sets a *_PENDING flag on a record that its unfinished saga may still change, such as Richardson's order in APPROVAL_PENDING, and a retriable transaction clears it when the saga completes, or the compensation when it is undone. The flag is not the saga's effect (the booking, the charge) but a warning that the effect may still change. Here it is the reservation's PENDING state and, with the semantic lock switched on, a PENDING flag on a shared record that a saga took from and may still give back (a slot's tables left, a gift card's balance). Another saga that meets the flag waits: its request fails and is tried again later, until the flag is cleared or its retries run out.",
        sources: &[PATTERNS_CH4],
    },
    Entry {
        id: "idempotency",
        term: "Idempotency key",
        text: "An operation is idempotent when doing it twice has the same effect as doing it once. The service records each request under a key (here the saga and the task: a step's action or its compensation) in the same transaction as its effect; a retry or a duplicate with the same key returns the first result and changes nothing.",
        sources: &[PATTERNS_CH3, IO_IDEMPOTENT_CONSUMER],
    },
    Entry {
        id: "idempotent-consumer",
        term: "Idempotent consumer",
        text: "A message consumer that handles the same message more than once with the effect of handling it once. It records the ids of the messages it processed in its database, in the same transaction as the change, and discards a message whose id is already there.",
        sources: &[IO_IDEMPOTENT_CONSUMER, PATTERNS_CH3],
    },
    Entry {
        id: "at-least-once-delivery",
        term: "At-least-once delivery",
        text: "A standard SQS queue keeps a message until a consumer deletes it or its retention period ends (4 days by default, from 1 minute to 14 days), so a message left unhandled for longer than that is deleted unread. A received message is only hidden for the visibility timeout and is delivered again if it is not deleted by then; a standard queue may also occasionally deliver a second copy on its own. Any message may therefore arrive more than once, and consumers must be idempotent.",
        sources: &[
            AWS_SQS_STANDARD,
            AWS_SQS_QUOTAS,
            AWS_SQS_VISIBILITY,
            IO_IDEMPOTENT_CONSUMER,
            PATTERNS_CH3,
        ],
    },
    Entry {
        id: "exactly-once-processing",
        term: "Exactly-once processing",
        text: "A queue alone cannot make a message take effect exactly once: a consumer may act and then crash before deleting the message, which is then delivered again. What a system can have is at-least-once delivery and an idempotent consumer that records each processed message id in the same transaction as its change, so each message takes effect once however often it arrives. SQS FIFO queues offer exactly-once processing in a narrower sense: a duplicate sent within the 5-minute deduplication interval is not added, but a message not deleted before its visibility timeout ends is still received again.",
        sources: &[IO_IDEMPOTENT_CONSUMER, PATTERNS_CH3, AWS_SQS_EXACTLY_ONCE],
    },
    Entry {
        id: "fifo-ordering",
        term: "FIFO ordering",
        text: "A standard SQS queue gives best-effort ordering: messages usually come out in the order they went in, but not always, and occasionally twice. A FIFO queue delivers the messages of one message group in order, holding back a group's later messages while an earlier one is in flight, and does not add a duplicate sent within the 5-minute deduplication interval. The page models standard queues only: order is not guaranteed (a delayed or reordered message is overtaken) and duplicates can arrive, so every consumer must cope with both.",
        sources: &[AWS_SQS_FIFO, AWS_SQS_STANDARD],
    },
    Entry {
        id: "dead-letter-queue",
        term: "Dead-letter queue",
        text: "A queue for messages that could not be processed. When a message's receive count exceeds its source queue's maxReceiveCount, SQS moves it to the dead-letter queue, so it is no longer received and handled in vain. In a standard queue such a message does not hold up the others, it only costs work on each receive; in a FIFO queue it holds up the rest of its message group until it is moved. Once the cause is fixed, it can be redriven to its source queue.",
        sources: &[AWS_SQS_DLQ, AWS_SQS_FIFO],
    },
    Entry {
        id: "poison-message",
        term: "Poison message",
        text: "A message that fails every time it is processed, because of its content or a bug rather than a passing fault. In a standard queue it is received again after each visibility timeout, costing work each time, until its receive count exceeds maxReceiveCount and it is moved to the dead-letter queue; in a FIFO queue it holds up the rest of its message group meanwhile. Here the poison fault makes the next request a service handles fail every time, until the fault is removed.",
        sources: &[AWS_SQS_DLQ, AWS_SQS_VISIBILITY],
    },
    Entry {
        id: "redrive",
        term: "Redrive",
        text: "Moving messages from a dead-letter queue back to their source queue once the cause of their failure is fixed, so that they are processed again. SQS offers it as dead-letter queue redrive, in the console or through its API. Here the Redrive button moves every dead letter back to its queue to be received afresh, and in orchestration it resumes every saga waiting for a person, each stuck task starting a new series of attempts.",
        sources: &[AWS_SQS_REDRIVE, AWS_SQS_DLQ],
    },
    Entry {
        id: "transactional-outbox",
        term: "Transactional outbox",
        text: "A service cannot update its database and publish to a broker atomically. Instead it inserts the event into an outbox table in the same local transaction as the state change, and a relay publishes the outbox afterwards. No event is published for a change that rolled back, and none is lost for one that committed, though one may be published twice.",
        sources: &[IO_OUTBOX, PATTERNS_CH3, AWS_OUTBOX],
    },
    Entry {
        id: "outbox-relay",
        term: "Outbox relay (polling publisher, log tailing)",
        text: "A relay publishes what the outbox holds in one of two ways: by polling the outbox table for unpublished rows (polling publisher) or by tailing the database's transaction log (transaction log tailing). It can crash after publishing an event and before recording that it did, and then publishes it again: the outbox gives at-least-once publishing, so consumers must be idempotent. Here the relay is a polling publisher woken shortly after each commit that retries a publish lost on its way; it never crashes between publishing and marking a row, so the duplicates here come from the queues.",
        sources: &[IO_POLLING_PUBLISHER, IO_LOG_TAILING, PATTERNS_CH3],
    },
    Entry {
        id: "timeout",
        term: "Timeout",
        text: "The caller stops waiting for a reply after a set time. A timeout does not say whether the step happened: the request may be lost, slow, or done with its reply lost. So the caller retries, and the step must be idempotent for that to be safe.",
        sources: &[AWS_STEP_FUNCTIONS_ERRORS, AWS_SQS_VISIBILITY],
    },
    Entry {
        id: "retry-backoff",
        term: "Retry with backoff",
        text: "A step that fails for a temporary reason is tried again after a wait multiplied by a factor at each retry, up to a cap: here a step after the pivot waits 1 s, 2 s, 4 s, then 4 s each time. Growing waits give a struggling service room to recover, and a maximum number of attempts says when to stop and recover otherwise. Jitter draws each wait at random between zero and the computed one, so that many callers do not retry in step, and then one wait may be shorter than the last; it is off here unless a scenario file switches it on. Step Functions calls these IntervalSeconds, BackoffRate, MaxDelaySeconds, JitterStrategy (FULL) and MaxAttempts.",
        sources: &[AWS_RETRY_BACKOFF, AWS_STEP_FUNCTIONS_ERRORS],
    },
    Entry {
        id: "step-functions-retry",
        term: "Step Functions Retry and Catch",
        text: "A Task state's Retry names the errors it matches (ErrorEquals), the wait before the first retry (IntervalSeconds), how many retries (MaxAttempts), the factor each wait is multiplied by (BackoffRate), a cap on any wait (MaxDelaySeconds) and whether each wait is drawn at random below that (JitterStrategy FULL). When the retries are spent, or for an error no retrier matches, a Catch sends the error to a fallback state: in the exported machine, the first compensation to run (or the failure notice, if nothing needs undoing), and from a compensation, the state RollbackIncomplete. MaxAttempts counts retries after the first attempt (3 by default, 0 for none), whereas the page counts attempts with the first included, so the export writes the page's attempts minus 1. A retrier that the engine runs for ever cannot be written in ASL, so the export gives it MaxAttempts 99.",
        sources: &[AWS_STEP_FUNCTIONS_ERRORS],
    },
    Entry {
        id: "durable-log",
        term: "Durable saga log",
        text: "The coordinator writes each decision and step result to durable storage before acting on it. After a crash it reads the log back, rebuilds each saga's state and resumes it, forward or backward. A command whose reply had not come is sent again, since the reply may have been lost; the idempotent service answers it without applying it again, so nothing takes effect twice.",
        sources: &[SAGAS_1987, PATTERNS_CH4],
    },
    Entry {
        id: "saga-execution-coordinator",
        term: "Saga execution component (SEC)",
        text: "Garcia-Molina and Salem put a saga execution component in the database system (later writers often say saga execution coordinator): it runs a saga's transactions one by one and records every saga command in a log before acting on it. When a saga aborts, it runs the compensating transactions of the committed steps in reverse order (backward recovery); with save-points it can instead go back to a save-point and run the missing transactions again (forward recovery). After a crash it reads the log to find each saga's state and finishes the work. Here the orchestrator and its durable saga log play that part, across services rather than inside one database.",
        sources: &[SAGAS_1987],
    },
    Entry {
        id: "orchestration",
        term: "Orchestration",
        text: "One saga orchestrator tells each participant what to do, with a command, and waits for its reply. It holds the saga's state and decides the next step, including when to compensate. The flow is in one place, at the cost of a central component.",
        sources: &[PATTERNS_CH4, AWS_SAGA_ORCHESTRATION],
    },
    Entry {
        id: "choreography",
        term: "Choreography",
        text: "No coordinator: each participant subscribes to other participants' events, does its local transaction, and publishes an event of its own. The saga's flow is spread across the services, which keeps them loosely coupled but makes the whole harder to follow.",
        sources: &[PATTERNS_CH4, AWS_SAGA_CHOREOGRAPHY],
    },
    Entry {
        id: "manual-intervention",
        term: "Manual intervention",
        text: "A compensation must eventually succeed, but some failures cannot be fixed by retrying. One that runs out of retries stops the saga with its rollback incomplete, and a task that may only go forward (the pivot whose outcome is unknown, a step after it, the failure notice) waits in the same way. The saga is listed for a person, who fixes the cause and lets the task run again: here, by removing the fault and pressing Redrive.",
        sources: &[SAGAS_1987, PATTERNS_CH4, AWS_SQS_DLQ],
    },
    Entry {
        id: "unknown-outcome",
        term: "Unknown outcome",
        text: "After a timeout or a lost reply, nobody knows whether the step took effect. The saga must act either way: a retry must not repeat the effect, and a compensation must do nothing if the step never happened.",
        sources: &[PATTERNS_CH4, AWS_STEP_FUNCTIONS_ERRORS],
    },
    Entry {
        id: "cancellation",
        term: "Cancellation",
        text: "A customer may cancel at any moment, and what happens depends on where the saga stands. Before the pivot the saga is aborted, by the orchestrator once any command already out is answered or has timed out, or in choreography by Reservation refusing the confirmation when the saga reaches it; the steps done are compensated and both parties told. Once the pivot may have taken effect (its command sent, in orchestration; the confirmation done, in choreography), the saga is not stopped: it completes, and the cancellation then runs as a new piece of work that compensates its steps and tells both parties. A cancel after completion starts that piece of work at once.",
        sources: &[SAGAS_1987, PATTERNS_CH4],
    },
    Entry {
        id: "fault-injection",
        term: "Fault injection",
        text: "Deliberately causing failures (errors, delays, lost or duplicated messages, outages) to see how a system copes. Here faults are part of the scenario, and the same seed and fault plan replay exactly the same run.",
        sources: &[AWS_FIS],
    },
    Entry {
        id: "blast-radius",
        term: "Blast radius",
        text: "How far one failure reaches. With a database per service, one database outage stops one service; with one shared database it stops all of them at once. A private database also lets each service choose and change its own schema.",
        sources: &[IO_DATABASE_PER_SERVICE],
    },
    Entry {
        id: "point-of-no-return",
        term: "Point of no return",
        text: "Once the pivot's command has been sent and no definite refusal has come back, the pivot may have taken effect, so the saga may only go forward. The orchestrator asks again (the command is idempotent) until it knows; if it still cannot know, the saga waits for a person instead of being compensated. A definite refusal of the pivot is an ordinary failure: compensate.",
        sources: &[PATTERNS_CH4, IO_SAGA],
    },
    Entry {
        id: "task-token",
        term: "Task token (correlation id)",
        text: "Each command carries a token naming its attempt, and the reply hands it back: a correlation id, which matches a reply to the attempt it answers. A reply whose attempt the orchestrator no longer awaits (it timed out and was tried again) is stale and decides nothing, so a late answer never decides a newer attempt; a late “done” is still noted, since the step took effect. It is the token that tells a stale reply, not idempotency, which only makes the repeated command safe. Step Functions' callback pattern works the same way: the task token sent with a task must come back with its SendTaskSuccess or SendTaskFailure.",
        sources: &[
            AWS_STEP_FUNCTIONS_TASK_TOKEN,
            EIP_CORRELATION,
            PATTERNS_CH3,
            AWS_STEP_FUNCTIONS_ERRORS,
        ],
    },
    Entry {
        id: "visibility-timeout",
        term: "Visibility timeout",
        text: "A queue hides a received message for its visibility timeout (30 s by default in SQS, at most 12 hours; here 2.5 s). If the message is not deleted in time, even because its consumer is only slow, it becomes visible and is delivered again, unless the consumer extended the timeout (ChangeMessageVisibility). The slow handler still finishes, so the same message is handled twice, and the idempotent consumer makes the second delivery harmless.",
        sources: &[AWS_SQS_VISIBILITY, IO_IDEMPOTENT_CONSUMER],
    },
    Entry {
        id: "dual-write",
        term: "Dual write",
        text: "A service that commits its change and then publishes the event in a separate step can crash in between. The data changed but no one is told, and the saga stalls. The transactional outbox closes the gap by writing the event in the same local transaction as the change.",
        sources: &[IO_OUTBOX, AWS_OUTBOX],
    },
    Entry {
        id: "fan-out",
        term: "Fan-out (publish/subscribe)",
        text: "Publish/subscribe fan-out: a topic copies each published event to every queue subscribed to it (SNS to SQS), and each subscriber consumes its own copy from its own queue. One event can concern several services: a declined card tells the reservation to cancel and the notifier what to say.",
        sources: &[AWS_SNS_FANOUT, AWS_SAGA_CHOREOGRAPHY],
    },
    Entry {
        id: "eventual-consistency",
        term: "Eventual consistency",
        text: "Each service's database is consistent on its own, but across services a saga's half-done state is visible while it runs: a card may be charged for a table not yet booked. Once the saga completes or is compensated (or, after a stuck compensation, a person finishes it) and its messages have all been handled, the services agree again. Vogels calls this eventual consistency: if no new updates are made, every read eventually returns the last value written.",
        sources: &[VOGELS_2009, PATTERNS_CH4],
    },
    Entry {
        id: "acd",
        term: "ACD without isolation",
        text: "Richardson calls a saga ACD: atomic, since it either completes or is compensated; consistent, since each service's local database keeps its own data consistent and the services keep the references between them right; durable, since each step commits in a local database. It lacks the I of ACID: its steps commit one by one, so concurrent sagas can see each other's unfinished work, which causes lost updates, dirty reads and fuzzy reads. His countermeasures are the semantic lock, commutative updates, pessimistic view, reread value, version file and by value.",
        sources: &[PATTERNS_CH4],
    },
    Entry {
        id: "lost-update",
        term: "Lost update",
        text: "Two transactions read the same record and each writes back a value worked out from what it read: the second write wipes out the first. A saga commits its steps one by one with no isolation, so two sagas can do exactly this: both read the last free table and both book it, or both read one balance and the card forgets a charge.",
        sources: &[PATTERNS_CH4, ISOLATION_CRITIQUE],
    },
    Entry {
        id: "dirty-read",
        term: "Dirty read",
        text: "A transaction reads data another transaction has written but not committed; if that one then rolls back, the reader acted on data that never existed. A saga's steps commit one by one while the saga can still be compensated, so another saga can act on an update the first then undoes: a customer turned away for a table that is released a moment later. The semantic lock's PENDING flag, kept until the saga completes or is compensated, is the countermeasure; commutative updates and reread value do not help.",
        sources: &[ISOLATION_CRITIQUE, PATTERNS_CH4],
    },
    Entry {
        id: "fuzzy-read",
        term: "Fuzzy (non-repeatable) read",
        text: "A transaction reads a record, another changes it and commits, and the first reads it again and finds a different value. In a saga the two reads are two steps: here Reservation looks at the tables left before accepting a booking, another saga takes the last table, and Calendar then finds none when it books, so the saga must undo what it did on the strength of the first look. The semantic lock, with the look setting the PENDING flag, makes the second customer wait; reread value and commutative updates protect writes, not a step's earlier read.",
        sources: &[ISOLATION_CRITIQUE, PATTERNS_CH4],
    },
    Entry {
        id: "commutative-updates",
        term: "Commutative updates",
        text: "A countermeasure for a saga's lack of isolation: design updates so that they can be applied in any order, such as taking one table or debiting an amount in place rather than writing back a value computed earlier. Overlapping updates then all count; it does nothing against reading another saga's unfinished work.",
        sources: &[PATTERNS_CH4],
    },
    Entry {
        id: "reread-value",
        term: "Reread value",
        text: "A countermeasure for a saga's lack of isolation, a form of optimistic locking: before overwriting a record, read it again and check that it still holds the value first read. If another saga changed it, write nothing and try again (or abort), so no update is overwritten.",
        sources: &[PATTERNS_CH4],
    },
    Entry {
        id: "pessimistic-view",
        term: "Pessimistic view",
        text: "A countermeasure for a saga's lack of isolation: reorder the saga's steps so that an update other sagas may act on comes where it is least likely to be undone, at best in a retriable step after the pivot. Here the card is charged after the table is booked, so a booking refused for want of a table never takes money that another charge would then be declined for. A charge can itself be declined, so it stays before the pivot, and a rejection by the restaurant still refunds it.",
        sources: &[PATTERNS_CH4],
    },
    Entry {
        id: "by-value",
        term: "By value",
        text: "A countermeasure that picks the concurrency mechanism by each request's business risk: risky requests get the stronger protection (Richardson: a distributed transaction), low-risk ones run as plain sagas. Here a charge of €50 or more sets the semantic lock's PENDING flag, which every saga honours, and smaller requests go the naive way, so two small charges can still lose one.",
        sources: &[PATTERNS_CH4],
    },
    Entry {
        id: "version-file",
        term: "Version file",
        text: "A countermeasure that records the operations performed on a record so that they can be applied in any order, for example a cancellation that arrives before the request it cancels. Here each service records what it did for each saga and refuses an action that arrives after its own compensation, such as a charge delayed past its refund. It does not stop a duplicate from taking effect twice: that is idempotency's work, and an idempotent service keeps a one-entry version file of its own, the tombstone it writes when a compensation overtakes its action.",
        sources: &[PATTERNS_CH4],
    },
    Entry {
        id: "late-action",
        term: "A compensation that overtakes its action",
        text: "A compensation can reach a service before the action it undoes, when the action's command was delayed: the orchestrator gave up waiting and compensated while the command was still on its way. The compensation then finds nothing to undo and does nothing, and the late action must be refused, or it would take effect after the saga was undone (a charge that is never refunded). The service can only refuse it if it remembers: in orchestration with idempotency on, the compensation's idempotency record leaves a tombstone under the action's key, and with the version file switched on the service records the compensation, so the late action is answered as refused and changes nothing.",
        sources: &[PATTERNS_CH4],
    },
    Entry {
        id: "two-phase-commit",
        term: "Two-phase commit (the alternative)",
        text: "A coordinator asks every participant to prepare (vote), then tells all of them to commit or all to abort. A participant that voted yes may not decide alone: if the coordinator fails before it learns the decision, it is in doubt and keeps its locks until the coordinator recovers or another participant that knows the outcome tells it (in this page's two-phase commit, only the coordinator's recovery does). One that voted no, or had already learned the decision, is not blocked. It gives one atomic transaction across databases; sagas avoid it, giving up isolation instead.",
        sources: &[GRAY_REUTER, BERNSTEIN_1987, SAGAS_1987, PATTERNS_CH4],
    },
    Entry {
        id: "three-phase-commit",
        term: "Three-phase commit",
        text: "Two-phase commit with a pre-commit round between the votes and the decision, so that no participant commits while another may still be uncertain. Participants that time out run a termination protocol and decide without the coordinator, so a coordinator crash does not block them. It assumes a crash can be told from a slow or cut-off node: under a network partition each side may decide differently, and atomicity is lost.",
        sources: &[SKEEN_1981, BERNSTEIN_1987, GRAY_REUTER],
    },
];
/// What the "How Sagascope models things" section says before its list.
pub const MODEL_INTRO: &str = "Where this simulation is simpler than a real system, so that a teacher knows what to add in words. Figures are the defaults; a scenario file can change them.";

/// Where the model simplifies reality: plain sentences, each true of this engine, drawn under
/// the entries.
pub const MODEL_NOTES: &[&str] = &[
    "One region and one clock: all time is simulated, every node reads the same clock, and there is no clock skew. The same scenario and seed replay the same run exactly.",
    "A network hop takes 400 ms plus up to 60 ms drawn from the seed. Beyond that jitter, a message is lost, repeated, delayed or reordered only by a fault (planned, injected during the run, or chaos), and the customer's own requests, to start or to cancel, never meet one.",
    "A cancel travels to the saga as a message (to the orchestrator, or in choreography to Reservation's queue), so it is honoured where the saga stands when it arrives, not where it stood when the customer clicked.",
    "A service handles any number of requests at once, each in a fixed time (200 ms, plus any latency fault): there is no capacity limit, throttling or waiting for a busy service.",
    "The services' databases never lose committed data: an outage makes one unreachable for a while, and a crash never undoes a commit, since a handling cut short by a crash never committed.",
    "In orchestration, commands and replies travel directly between the orchestrator and the services, not through queues: a command that reaches a service that is down is lost, and so is a reply that reaches a crashed orchestrator. A real broker would keep them in a queue; dropping them is this model's choice, and the timeout, the resend after a restart and the idempotency key make up for it. The customer's requests, though, wait at the orchestrator's door until it is back.",
    "The orchestrator's saga log is durable and never lost. A crash wipes the orchestrator's memory and timers; on restart it rebuilds its memory from the log, sends again any command still awaiting a reply (under the same task token) and decides again on any retry that was waiting.",
    "Orchestration retries back off exponentially up to a cap, and each attempt waits at most 2 s for its reply: steps up to the pivot get 3 attempts (waits of 1 s and 2 s), compensations 4 (1 s, 2 s, 4 s), and the steps after the pivot and the failure notice are retried for ever (1 s, 2 s, 4 s, 4 s, …). Jitter is off unless a scenario file switches it on.",
    "Choreography has no backoff: a failed handling is retried only by the queue, which delivers the message again when its visibility timeout ends (2.5 s). A message is handled at most maxReceiveCount times (4) and then moved to the dead-letter queue.",
    "Queues behave like standard SQS queues: at-least-once delivery, no ordering guarantee, and redelivery after a fixed visibility timeout that no consumer extends. There are no FIFO queues, message groups or deduplication intervals.",
    "A consumer receives a message as soon as it is visible, with no polling interval, and takes any number of messages at once (SQS returns at most 10 per receive).",
    "Message retention is unlimited: a message stays in its queue until it is deleted or dead-lettered, and in the dead-letter queue until it is redriven, however long that takes. SQS deletes a message when its retention period ends: after 4 days by default, 14 days at most.",
    "The bus is a set of topics that copies each event to every subscribed queue (SNS to SQS). A publish can be lost on its way to the bus; once the bus has it, every subscribed queue gets it at least once, perhaps twice or late.",
    "The outbox relay is a polling publisher woken 100 ms after each commit: it publishes every unpublished row in order and marks each one published. It learns at once whether a publish was lost and then tries again a second later (as it does while its service or database is down), and it never crashes between publishing a row and marking it, so it never publishes a row twice; duplicates come from the queues instead.",
    "A request that meets another saga's PENDING flag fails and is retried like any other failure; it does not wait in line for the flag to clear.",
    "Idempotency records (idempotency keys, processed message ids, tombstones) are kept for ever. A real service that expires them must be sure that no copy of a message can arrive afterwards.",
    "A person's fix is two clicks: removing the fault and pressing Redrive, which moves dead letters back to their queues (choreography) or gives each stuck task a new series of attempts (orchestration). What a person would really do (find the cause, mend data, refund by hand) is left to words.",
    "With one shared database, the only difference modelled is the blast radius: one outage stops every service at once. Schema coupling and lock contention between services are not modelled.",
    "The Step Functions export is the orchestrated saga alone: it leaves cancellation out, and its MaxAttempts of 99 stands for the engine's retrying for ever.",
];

/// The entry with this id.
pub fn find(id: &str) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.id == id)
}

/// The id of the section on how Sagascope models things (the tail of its element id, like an
/// entry's).
pub const MODEL_ID: &str = "model";

/// A place the glossary can be opened at: an entry's id, or [`MODEL_ID`].
pub fn place(id: &str) -> Option<&'static str> {
    find(id)
        .map(|e| e.id)
        .or((id == MODEL_ID).then_some(MODEL_ID))
}

/// The id of the entry that explains an idea.
pub fn idea_id(idea: Idea) -> &'static str {
    match idea {
        Idea::Compensation => "compensation",
        Idea::Pivot => "pivot-step",
        Idea::ForwardRecovery => "forward-recovery",
        Idea::SemanticLock => "semantic-lock",
        Idea::Idempotency => "idempotency",
        Idea::IdempotentConsumer => "idempotent-consumer",
        Idea::AtLeastOnce => "at-least-once-delivery",
        Idea::DeadLetter => "dead-letter-queue",
        Idea::Outbox => "transactional-outbox",
        Idea::Timeout => "timeout",
        Idea::Backoff => "retry-backoff",
        Idea::DurableLog => "durable-log",
        Idea::ManualIntervention => "manual-intervention",
        Idea::BlastRadius => "blast-radius",
        Idea::UnknownOutcome => "unknown-outcome",
        Idea::Orchestration => "orchestration",
        Idea::Choreography => "choreography",
        Idea::Cancellation => "cancellation",
        Idea::FaultInjection => "fault-injection",
        Idea::PointOfNoReturn => "point-of-no-return",
        Idea::TaskToken => "task-token",
        Idea::VisibilityTimeout => "visibility-timeout",
        Idea::DualWrite => "dual-write",
        Idea::FanOut => "fan-out",
        Idea::LostUpdate => "lost-update",
        Idea::DirtyRead => "dirty-read",
        Idea::FuzzyRead => "fuzzy-read",
        Idea::VersionFile => "version-file",
        Idea::CommutativeUpdates => "commutative-updates",
        Idea::RereadValue => "reread-value",
    }
}

/// The first entry, the saga: what [`for_idea`] falls back on (checked when compiling).
const FIRST: &Entry = &ENTRIES[0];

/// The entry that explains an idea (the saga itself, if the id were ever missing).
pub fn for_idea(idea: Idea) -> &'static Entry {
    find(idea_id(idea)).unwrap_or(FIRST)
}

/// The glossary panel: every entry with its sources, the selected one marked, then how
/// Sagascope models things ([`MODEL_NOTES`]).
pub fn glossary_html(selected: Option<&str>) -> String {
    let mut out = Html::with_capacity(16 * 1024);
    out.push(r#"<div class="glossary" data-testid="glossary" role="dialog" aria-modal="true" aria-label="Glossary"><header class="glossary__head"><h2 class="glossary__title">Glossary</h2><button type="button" class="btn btn--small" "#)
        .push_command(Command::CloseOverlay)
        .push(r#" data-testid="close-glossary" aria-label="Close the glossary">✕ Close</button></header><div class="glossary__body"><p class="glossary__jump"><button type="button" class="btn btn--small" "#)
        .push_command(Command::OpenGlossary(Some(MODEL_ID)))
        .push(r#" data-testid="open-model-notes">Where the model is simpler than reality ↓</button></p>"#);
    for entry in ENTRIES {
        let on = selected == Some(entry.id);
        out.push("<section")
            .push_attr("id", &format!("glossary-{}", entry.id))
            .push(if on {
                r#" class="glossary__entry glossary__entry--selected""#
            } else {
                r#" class="glossary__entry""#
            })
            .push_attr("data-term", entry.id)
            .push(if on { r#" aria-current="true""# } else { "" })
            .push(r#"><h3 class="glossary__term">"#)
            .push_text(entry.term)
            .push(r#"</h3><p class="glossary__text">"#)
            .push_text(entry.text)
            .push(r#"</p><ul class="glossary__sources">"#);
        for source in entry.sources {
            out.push(r#"<li class="glossary__source">"#);
            match source.url {
                Some(url) => {
                    out.push("<a")
                        .push_attr("href", url)
                        .push(r#" target="_blank" rel="noopener">"#)
                        .push_text(source.title)
                        .push("</a>");
                }
                None => {
                    out.push("<cite>").push_text(source.title).push("</cite>");
                }
            }
            out.push(". ").push_text(source.detail).push(".</li>");
        }
        out.push("</ul></section>");
    }
    out.push(r#"<section class="glossary__model" id="glossary-model" data-testid="model-notes" tabindex="-1"><h3 class="glossary__term">How Sagascope models things</h3><p class="glossary__text">"#)
        .push_text(MODEL_INTRO)
        .push(r#"</p><ul class="glossary__notes">"#);
    for note in MODEL_NOTES {
        out.push(r#"<li class="glossary__text">"#)
            .push_text(note)
            .push("</li>");
    }
    out.push("</ul></section></div></div>");
    out.into_string()
}

#[cfg(test)]
mod tests;
