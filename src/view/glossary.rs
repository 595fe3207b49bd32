//! The glossary: a short entry for every idea the narration names, each with where to read more.
//!
//! The narration links each event's idea to an entry ([`for_idea`]); [`glossary_html`] draws the
//! panel that lists them all, with the selected one marked so the page can scroll to it.

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
    detail: "AWS Step Functions Developer Guide (Retry, Catch, BackoffRate, TimeoutSeconds)",
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
        text: "Recovering a saga that cannot finish by running the compensating transactions of its committed steps in reverse order. The result is as if the saga had never run, although others may have seen its intermediate state.",
        sources: &[SAGAS_1987, AWS_SAGA],
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
        text: "A saga has no isolation, so other sagas can see its half-done work. A semantic lock is an application-level flag, like a reservation's PENDING state or a slot hold, that tells everyone a record is in flux. Others then wait, fail, or treat it with care until the saga commits or compensates it.",
        sources: &[PATTERNS_CH4],
    },
    Entry {
        id: "idempotency",
        term: "Idempotency key",
        text: "An operation is idempotent when doing it twice has the same effect as doing it once. The service records each request under a key (here saga + step) in the same transaction as its effect; a retry or a duplicate with the same key returns the first result and changes nothing.",
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
        text: "A queue keeps a message until the consumer deletes it. A received message is only hidden for the visibility timeout; if it is not deleted in time, it is delivered again. No message is lost, but any message may arrive more than once, so consumers must be idempotent.",
        sources: &[AWS_SQS_VISIBILITY, IO_IDEMPOTENT_CONSUMER, PATTERNS_CH3],
    },
    Entry {
        id: "dead-letter-queue",
        term: "Dead-letter queue",
        text: "A queue for messages that could not be processed. After a message has been received the maximum number of times (maxReceiveCount), it is moved aside so it stops blocking the others. Once the cause is fixed, it can be redriven to its queue.",
        sources: &[AWS_SQS_DLQ],
    },
    Entry {
        id: "transactional-outbox",
        term: "Transactional outbox",
        text: "A service cannot update its database and publish to a broker atomically. Instead it inserts the event into an outbox table in the same local transaction as the state change, and a relay publishes the outbox afterwards. No event is published for a change that rolled back, and none is lost for one that committed.",
        sources: &[IO_OUTBOX, PATTERNS_CH3, AWS_OUTBOX],
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
        text: "A step that fails for a temporary reason is tried again after a wait that grows each time (for example 1 s, 2 s, 4 s). Growing waits give a struggling service room to recover; a maximum number of attempts says when to stop and recover otherwise.",
        sources: &[AWS_RETRY_BACKOFF, AWS_STEP_FUNCTIONS_ERRORS],
    },
    Entry {
        id: "durable-log",
        term: "Durable saga log",
        text: "The coordinator writes each decision and step result to durable storage before acting on it. After a crash it reads the log back, rebuilds each saga's state and resumes it, forward or backward. Nothing is redone twice if the steps are idempotent.",
        sources: &[SAGAS_1987, PATTERNS_CH4],
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
        text: "A compensation must eventually succeed, but some failures cannot be fixed by retrying. The saga then stops with its rollback incomplete and is listed for a person, who fixes the cause and lets the compensation run again.",
        sources: &[PATTERNS_CH4, AWS_SQS_DLQ],
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
        text: "A customer may cancel while the saga runs or after it completed. Before the pivot, the saga aborts and compensates what it did. After completion, the reservation is undone by compensating it, as a new piece of work.",
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
        term: "Task token",
        text: "Each command carries a token naming its attempt, and the reply hands it back. A reply whose attempt the orchestrator no longer awaits (it timed out and was tried again) is stale: it is logged and ignored, so a late answer never decides a newer attempt.",
        sources: &[AWS_STEP_FUNCTIONS_TASK_TOKEN, AWS_STEP_FUNCTIONS_ERRORS],
    },
    Entry {
        id: "visibility-timeout",
        term: "Visibility timeout",
        text: "A queue hides a received message for its visibility timeout; a consumer that does not delete it in time, even one that is only slow, sees it delivered again. The slow handler still finishes, so the same message is handled twice. The idempotent consumer makes the second delivery harmless.",
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
        term: "Fan-out",
        text: "A topic delivers each published event to every queue subscribed to it (SNS to SQS). One event can concern several services: a declined card tells the reservation to cancel and the notifier what to say.",
        sources: &[AWS_SNS_FANOUT, AWS_SAGA_CHOREOGRAPHY],
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
        id: "two-phase-commit",
        term: "Two-phase commit (the alternative)",
        text: "A coordinator asks every participant to prepare (vote), then tells all of them to commit or all to abort. It gives one atomic transaction across databases, but participants hold locks while they wait and are blocked if the coordinator fails. Sagas avoid it, giving up isolation instead.",
        sources: &[GRAY_REUTER, SAGAS_1987, PATTERNS_CH4],
    },
    Entry {
        id: "three-phase-commit",
        term: "Three-phase commit",
        text: "Two-phase commit with a pre-commit round between the votes and the decision, so that no participant commits while another may still be uncertain. Participants that time out run a termination protocol and decide without the coordinator, so a coordinator crash does not block them. It assumes a crash can be told from a slow or cut-off node: under a network partition each side may decide differently, and atomicity is lost.",
        sources: &[SKEEN_1981, GRAY_REUTER],
    },
];

/// The entry with this id.
pub fn find(id: &str) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.id == id)
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

/// The glossary panel: every entry with its sources, the selected one marked.
pub fn glossary_html(selected: Option<&str>) -> String {
    let mut out = Html::with_capacity(16 * 1024);
    out.push(r#"<div class="glossary" data-testid="glossary" role="dialog" aria-modal="true" aria-label="Glossary"><header class="glossary__head"><h2 class="glossary__title">Glossary</h2><button type="button" class="btn btn--small" "#)
        .push_command(Command::CloseOverlay)
        .push(r#" data-testid="close-glossary" aria-label="Close the glossary">✕ Close</button></header><div class="glossary__body">"#);
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
    out.push("</div></div>");
    out.into_string()
}

#[cfg(test)]
mod tests;
