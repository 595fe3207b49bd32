//! Seeded generators for the share tests: valid commands and scenarios, runs with commands given
//! interactively, and mutations of valid text. Faults come from the shared generator in
//! `tests/common/random.rs`, so a test crate using this module declares `mod common;` too.

#![allow(dead_code)]

use sagascope::engine::presets::{self, Preset, PRESETS};
use sagascope::engine::rng::Rng;
use sagascope::engine::scenario::{RetryPolicy, ScheduledCommand};
use sagascope::engine::{Command, Coordination, SagaSpec, Scenario, Simulation, Storage};

pub use crate::common::random::random_fault;

pub const STYLES: [Coordination; 2] = [Coordination::Orchestration, Coordination::Choreography];
pub const STORAGES: [Storage; 2] = [Storage::PerService, Storage::Shared];

/// Names with the characters a link or a diagram must survive.
const NAMES: [&str; 8] = [
    "Ada",
    "Grace Hopper",
    "Edsger W. Dijkstra",
    "Zoë & co; #1",
    "a.b~c&d=e%f",
    "<b>Bob</b>",
    "日本語 · テスト",
    "line\nbreak",
];

pub fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.index(items.len())]
}

/// A valid saga with an awkward name.
pub fn random_saga(rng: &mut Rng) -> SagaSpec {
    let (customer, slot) = (*pick(rng, &NAMES), *pick(rng, &NAMES));
    let mut saga = SagaSpec::new(customer, slot);
    if rng.chance(50) {
        saga.party_size = 1 + rng.up_to(49) as u32;
        saga.amount_cents = 1 + rng.up_to(9_999_999);
        saga.start_ms = rng.up_to(5_000);
    }
    saga
}

/// A command a person might give; it may be refused (a cancel for a saga that does not exist).
pub fn random_command(rng: &mut Rng) -> Command {
    match rng.index(10) {
        0 | 1 => Command::Cancel { saga: rng.index(3) },
        2 => Command::RemoveFault {
            fault: rng.index(4),
        },
        3 => Command::Redrive,
        4 => Command::Start {
            saga: random_saga(rng),
        },
        _ => Command::InjectFault {
            fault: random_fault(rng),
        },
    }
}

/// A preset that works in `style`.
pub fn random_preset(rng: &mut Rng, style: Coordination) -> &'static Preset {
    loop {
        let p = pick(rng, &PRESETS);
        if p.runs_in(style) {
            return p;
        }
    }
}

/// A run of a preset in which a person gave up to `commands` commands at random moments;
/// returns it at its latest moment.
pub fn interactive_run(
    preset: &str,
    style: Coordination,
    storage: Storage,
    seed: u64,
    rng: &mut Rng,
    commands: usize,
) -> Simulation {
    let scenario = presets::scenario(preset, style, storage, seed).expect("preset");
    let mut sim = Simulation::new(scenario).expect("valid preset");
    let mut t = 0;
    for _ in 0..commands {
        t += rng.up_to(4_000);
        sim.advance_to(t);
        // A refused command is not recorded, exactly as a refused click.
        let _refused = sim.handle_command(random_command(rng));
    }
    t += rng.up_to(3_000);
    sim.advance_to(t);
    sim.discard_pending_events();
    sim
}

fn random_policy(rng: &mut Rng, forever: bool) -> RetryPolicy {
    RetryPolicy {
        interval_ms: 1 + rng.up_to(5_000),
        max_attempts: if forever && rng.chance(50) {
            None
        } else {
            Some(1 + rng.up_to(19) as u32)
        },
        // Any float in range, not only round ones: the JSON must carry it exactly.
        backoff_rate: 1.0 + (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 9.0,
        max_delay_ms: 1 + rng.up_to(20_000),
        jitter: rng.chance(50),
    }
}

/// A valid scenario that no preset makes: random sagas, faults, commands and settings.
pub fn random_scenario(rng: &mut Rng) -> Scenario {
    let sagas = (0..1 + rng.index(3)).map(|_| random_saga(rng)).collect();
    let mut s = Scenario::new(sagas);
    s.name = (*pick(rng, &NAMES)).to_string();
    if rng.chance(50) {
        s.description = format!("{} {}", *pick(rng, &NAMES), rng.next_u64());
    }
    s.coordination = *pick(rng, &STYLES);
    s.storage = *pick(rng, &STORAGES);
    s.seed = rng.next_u64();
    for _ in 0..rng.index(5) {
        s.faults.push(random_fault(rng));
    }
    let mut at_ms = 0;
    for _ in 0..rng.index(6) {
        at_ms += rng.up_to(3_000);
        let command = match random_command(rng) {
            Command::RemoveFault { .. } if s.faults.is_empty() => Command::Redrive,
            Command::RemoveFault { .. } => Command::RemoveFault {
                fault: rng.index(s.faults.len()),
            },
            other => other,
        };
        s.commands.push(ScheduledCommand { at_ms, command });
    }
    if rng.chance(50) {
        s.retry.step = random_policy(rng, false);
        s.retry.compensation = random_policy(rng, false);
        s.retry.retriable = random_policy(rng, true);
    }
    if rng.chance(50) {
        s.timing.network_ms = 1 + rng.up_to(2_000);
        s.timing.network_jitter_ms = rng.up_to(500);
        s.timing.step_timeout_ms = 100 + rng.up_to(10_000);
    }
    if rng.chance(30) {
        s.queues.visibility_timeout_ms = 100 + rng.up_to(10_000);
        s.queues.max_receive_count = 1 + rng.up_to(19) as u32;
    }
    s.safeguards.idempotency = rng.chance(80);
    s.safeguards.semantic_lock = rng.chance(80);
    if rng.chance(20) {
        s.definition.name = (*pick(rng, &NAMES)).to_string();
        s.definition.steps[1].name = (*pick(rng, &NAMES)).to_string();
    }
    s
}

/// Characters that mean something to a link, a JSON parser or a diagram.
const PALETTE: [&str; 24] = [
    "&", "=", "~", ".", "%", "#", "?", "s", "0", "9", "-", "_", "\"", "{", "}", "[", "]", ":", ",",
    "\\", "é", "\u{0}", "\u{FFFD}", " ",
];

/// One random change to valid text: a truncation, a bit flip, a character substitution, an
/// insertion, a deletion, a repeated or swapped segment.
pub fn mutate(rng: &mut Rng, text: &str) -> String {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let at = rng.index(len + 1);
    match rng.index(7) {
        0 => String::from_utf8_lossy(&bytes[..at]).into_owned(),
        1 if len > 0 => {
            let mut b = bytes.to_vec();
            let i = rng.index(len);
            b[i] ^= 1 << rng.index(8);
            String::from_utf8_lossy(&b).into_owned()
        }
        2 if len > 0 => {
            let mut b = bytes.to_vec();
            let i = rng.index(len);
            b.splice(i..i + 1, pick(rng, &PALETTE).bytes());
            String::from_utf8_lossy(&b).into_owned()
        }
        3 => {
            let mut b = bytes.to_vec();
            b.splice(at..at, pick(rng, &PALETTE).bytes());
            String::from_utf8_lossy(&b).into_owned()
        }
        4 => {
            let end = (at + 1 + rng.index(16)).min(len);
            let mut b = bytes.to_vec();
            b.drain(at..end);
            String::from_utf8_lossy(&b).into_owned()
        }
        5 => {
            let end = (at + 1 + rng.index(32)).min(len);
            let mut b = bytes.to_vec();
            let segment = bytes[at..end].to_vec();
            b.splice(at..at, segment);
            String::from_utf8_lossy(&b).into_owned()
        }
        _ if len > 1 => {
            let mut b = bytes.to_vec();
            let (i, j) = (rng.index(len), rng.index(len));
            b.swap(i, j);
            String::from_utf8_lossy(&b).into_owned()
        }
        _ => String::new(),
    }
}

/// Random bytes, read as (lossy) UTF-8.
pub fn random_text(rng: &mut Rng, max_len: usize) -> String {
    let len = rng.index(max_len + 1);
    let printable = rng.chance(50);
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            if printable {
                32 + rng.up_to(94) as u8
            } else {
                rng.up_to(255) as u8
            }
        })
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A random JSON value, sometimes of an awkward size or kind.
pub fn random_json(rng: &mut Rng, depth: u32) -> serde_json::Value {
    use serde_json::{json, Value};
    match rng.index(if depth > 2 { 8 } else { 10 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => json!(rng.up_to(30)),
        3 => json!(rng.next_u64()),
        4 => json!(-(rng.up_to(1_000) as i64) - 1),
        5 => json!((rng.next_u64() >> 11) as f64 / 1e6 - 1e3),
        6 => json!(pick(rng, &NAMES)),
        7 => json!(*pick(
            rng,
            &[
                "orchestration",
                "choreography",
                "shared",
                "per_service",
                "drop",
                "chaos",
                "business_failure",
                "start",
                "cancel",
                "redrive",
                "payment",
                "x".repeat(100).as_str()
            ]
            .map(|s| s.to_string())
        )),
        8 => Value::Array(
            (0..rng.index(4))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "kind", "type", "step", "times", "saga", "service", "for_ms", "at_ms", "colour",
            ];
            Value::Object(
                (0..rng.index(4))
                    .map(|_| (pick(rng, &keys).to_string(), random_json(rng, depth + 1)))
                    .collect(),
            )
        }
    }
}

/// One random change to a JSON value: replace a node, remove a key, add an unknown key.
pub fn mutate_json(rng: &mut Rng, value: &mut serde_json::Value) {
    use serde_json::Value;
    if rng.chance(75) {
        match value {
            Value::Object(map) if !map.is_empty() => {
                let i = rng.index(map.len());
                if let Some(child) = map.values_mut().nth(i) {
                    return mutate_json(rng, child);
                }
            }
            Value::Array(items) if !items.is_empty() => {
                let i = rng.index(items.len());
                return mutate_json(rng, &mut items[i]);
            }
            _ => {}
        }
    }
    // Half the time keep the kind, so the change gets past the parser to the validation.
    if rng.chance(50) {
        match value {
            Value::Number(_) => {
                *value = match rng.index(5) {
                    0 => serde_json::json!(0),
                    1 => serde_json::json!(rng.up_to(100)),
                    2 => serde_json::json!(rng.up_to(10_000_000)),
                    3 => serde_json::json!(rng.next_u64()),
                    _ => serde_json::json!(rng.up_to(20) as f64 / 2.0 - 1.0),
                };
                return;
            }
            Value::String(_) => {
                *value = Value::String(random_text(rng, 80).replace('\u{0}', ""));
                return;
            }
            Value::Bool(b) => {
                *b = !*b;
                return;
            }
            _ => {}
        }
    }
    match (rng.index(3), &mut *value) {
        (0, Value::Object(map)) if !map.is_empty() => {
            let i = rng.index(map.len());
            if let Some(key) = map.keys().nth(i).cloned() {
                map.remove(&key);
            }
        }
        (1, Value::Object(map)) => {
            let key = (*pick(rng, &["colour", "kind", "step", "version", "times"])).to_string();
            let v = random_json(rng, 3);
            map.insert(key, v);
        }
        _ => *value = random_json(rng, 1),
    }
}
