//! Property tests: random and mutated links, scenario files and trace files never panic the
//! readers, every rejection says something, and everything accepted round-trips exactly.
//!
//! Run with `cargo test --release --test share_fuzz -- --show-output` to see the counts.

mod common;
mod share_support;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use sagascope::engine::presets::{self, PRESETS};
use sagascope::engine::rng::Rng;
use sagascope::engine::{Scenario, Simulation, Storage};
use sagascope::share::base64url;
use sagascope::share::export::TraceFile;
use sagascope::share::link::{self, LinkError, LinkState, Playhead};
use share_support::{
    interactive_run, mutate, mutate_json, pick, random_preset, random_scenario, random_text, STYLES,
};

const LINK_INPUTS: usize = 120_000;
const SCENARIO_INPUTS: usize = 110_000;
const TRACE_INPUTS: usize = 3_000;

/// Tallies what a reader did with its inputs.
#[derive(Default)]
struct Tally {
    inputs: usize,
    accepted: usize,
    panics: Vec<String>,
    empty_messages: Vec<String>,
    rejections: BTreeMap<String, usize>,
}

impl Tally {
    fn reject(&mut self, input: &str, kind: String, message: String) {
        if message.trim().is_empty() && self.empty_messages.len() < 5 {
            self.empty_messages.push(input.to_string());
        }
        *self.rejections.entry(kind).or_default() += 1;
    }

    fn report(&self, what: &str) {
        println!(
            "figures: {what}: {} random and mutated inputs, {} accepted (each written and read back exactly), {} rejected with a message, {} panics",
            self.inputs,
            self.accepted,
            self.inputs - self.accepted,
            self.panics.len()
        );
        for (kind, n) in &self.rejections {
            println!("    {n:>7} × {kind}");
        }
        assert!(self.panics.is_empty(), "panicked on {:?}", self.panics);
        assert!(
            self.empty_messages.is_empty(),
            "empty message for {:?}",
            self.empty_messages
        );
    }
}

/// The variant name of an error, for the tally.
fn kind_of(error: &impl std::fmt::Debug) -> String {
    let debug = format!("{error:?}");
    let end = debug.find(['(', ' ', '{']).unwrap_or(debug.len());
    debug[..end].to_string()
}

fn link_kind(error: &LinkError) -> String {
    match error {
        LinkError::Scenario(inner) => format!("Scenario::{}", kind_of(inner)),
        other => kind_of(other),
    }
}

fn valid_links(rng: &mut Rng) -> Vec<String> {
    let mut links = Vec::new();
    for i in 0..120 {
        let style = *pick(rng, &STYLES);
        let preset = random_preset(rng, style);
        let sim = interactive_run(
            preset.id,
            style,
            Storage::PerService,
            i,
            rng,
            i as usize % 5,
        );
        let moment = match i % 3 {
            0 => Playhead::Start,
            1 => Playhead::AtMs(sim.now_ms()),
            _ => Playhead::Event(sim.event_count() / 2),
        };
        let mut state = LinkState::of_run(&sim, moment);
        links.push(link::encode(&state).expect("encodes"));
        state.preset = None;
        links.push(link::encode(&state).expect("encodes"));
    }
    for _ in 0..80 {
        let state = LinkState {
            scenario: random_scenario(rng),
            moment: Playhead::AtMs(rng.up_to(600_000)),
            preset: None,
        };
        links.push(link::encode(&state).expect("encodes"));
    }
    links
}

/// A scenario-form link whose JSON was changed before encoding: this reaches the validation.
fn mutated_payload(rng: &mut Rng, valid: &str) -> Option<String> {
    let payload = valid.split("s=").nth(1)?.split('&').next()?;
    let json = String::from_utf8(base64url::decode(payload).ok()?).ok()?;
    let mut value: serde_json::Value = serde_json::from_str(&json).ok()?;
    for _ in 0..1 + rng.index(2) {
        mutate_json(rng, &mut value);
    }
    Some(format!(
        "v=1&s={}",
        base64url::encode(value.to_string().as_bytes())
    ))
}

fn link_input(rng: &mut Rng, links: &[String]) -> String {
    let valid = pick(rng, links);
    match rng.index(20) {
        0 => random_text(rng, 200),
        1 => format!("v=1&{}", random_text(rng, 100)),
        2 => format!("v=1&p={}&{}", pick(rng, &PRESETS).id, random_text(rng, 60)),
        3..=5 => mutated_payload(rng, valid).unwrap_or_else(|| mutate(rng, valid)),
        6 => {
            // A parameter from another link, or a value replaced by noise.
            let other = pick(rng, links);
            let part = other.split('&').nth(rng.index(4)).unwrap_or_default();
            format!("{valid}&{part}")
        }
        7 => {
            let mut parts: Vec<String> = valid.split('&').map(str::to_string).collect();
            let i = rng.index(parts.len());
            let key = parts[i].split('=').next().unwrap_or_default().to_string();
            parts[i] = format!("{key}={}", random_text(rng, 12));
            parts.join("&")
        }
        _ => {
            let mut text = mutate(rng, valid);
            for _ in 0..rng.index(3) {
                text = mutate(rng, &text);
            }
            text
        }
    }
}

#[test]
fn the_link_decoder_never_panics_and_always_explains() {
    let mut rng = Rng::new(2026);
    let links = valid_links(&mut rng);
    let mut tally = Tally::default();
    for _ in 0..LINK_INPUTS {
        let input = link_input(&mut rng, &links);
        tally.inputs += 1;
        match catch_unwind(AssertUnwindSafe(|| link::decode(&input))) {
            Err(_) => tally.panics.push(input),
            Ok(Ok(state)) => {
                tally.accepted += 1;
                // Whatever is accepted is valid, and its own link gives it back exactly.
                assert_eq!(state.scenario.validate(), Ok(()), "{input}");
                match link::encode(&state) {
                    Ok(text) => assert_eq!(link::decode(&text).as_ref(), Ok(&state), "{input}"),
                    Err(LinkError::TooLong(_)) => {}
                    Err(other) => panic!("{input}: {other}"),
                }
            }
            Ok(Err(e)) => tally.reject(&input, link_kind(&e), e.to_string()),
        }
    }
    tally.report("link::decode");
    assert!(tally.inputs >= 100_000);
    assert!(tally.accepted > 1_000, "the mutations are too destructive");
}

fn scenario_seeds(rng: &mut Rng) -> Vec<String> {
    let mut seeds = Vec::new();
    for p in PRESETS.iter() {
        let style = *pick(rng, &STYLES);
        let s = presets::scenario(p.id, style, Storage::Shared, rng.next_u64()).expect("preset");
        seeds.push(s.to_json());
        seeds.push(link::compact_json(&s));
    }
    for _ in 0..60 {
        let s = random_scenario(rng);
        seeds.push(if rng.chance(50) {
            s.to_json()
        } else {
            link::compact_json(&s)
        });
    }
    seeds
}

fn scenario_input(rng: &mut Rng, seeds: &[String]) -> String {
    let seed = pick(rng, seeds);
    match rng.index(20) {
        0 => random_text(rng, 300),
        1 => format!("{{\"version\":1,{}", random_text(rng, 80)),
        2 => "[".repeat(1 + rng.index(400)),
        3 => format!("{{\"version\":{}}}", random_text(rng, 8)),
        4..=11 => {
            let mut value: serde_json::Value = serde_json::from_str(seed).unwrap_or_default();
            for _ in 0..1 + rng.index(3) {
                mutate_json(rng, &mut value);
            }
            if rng.chance(50) {
                value.to_string()
            } else {
                serde_json::to_string_pretty(&value).unwrap_or_default()
            }
        }
        _ => {
            let mut text = mutate(rng, seed);
            for _ in 0..rng.index(3) {
                text = mutate(rng, &text);
            }
            text
        }
    }
}

#[test]
fn the_scenario_parser_never_panics_and_always_explains() {
    let mut rng = Rng::new(1_979);
    let seeds = scenario_seeds(&mut rng);
    let mut tally = Tally::default();
    let mut ran = 0;
    for _ in 0..SCENARIO_INPUTS {
        let input = scenario_input(&mut rng, &seeds);
        tally.inputs += 1;
        match catch_unwind(AssertUnwindSafe(|| Scenario::from_json(&input))) {
            Err(_) => tally.panics.push(input),
            Ok(Ok(scenario)) => {
                tally.accepted += 1;
                // Whatever is accepted comes back exactly through its own file…
                assert_eq!(
                    Scenario::from_json(&scenario.to_json()).as_ref(),
                    Ok(&scenario),
                    "{input}"
                );
                // …and a sample of them runs without a hitch.
                if ran < 150 && rng.chance(5) {
                    ran += 1;
                    let mut sim = Simulation::new(scenario).expect("valid");
                    sim.drive(30_000);
                }
            }
            Ok(Err(e)) => tally.reject(&input, kind_of(&e), e.to_string()),
        }
    }
    tally.report("Scenario::from_json");
    println!("    {ran} accepted scenarios also run for 30 simulated seconds");
    assert!(tally.inputs >= 100_000);
    assert!(tally.accepted > 1_000, "the mutations are too destructive");
}

#[test]
fn the_trace_reader_never_panics_and_always_explains() {
    let mut rng = Rng::new(77);
    let mut seeds = Vec::new();
    for i in 0..6 {
        let style = *pick(&mut rng, &STYLES);
        let preset = random_preset(&mut rng, style);
        let sim = interactive_run(preset.id, style, Storage::PerService, i, &mut rng, 2);
        seeds.push(TraceFile::of_run(&sim).to_json());
    }
    let mut tally = Tally::default();
    for _ in 0..TRACE_INPUTS {
        let seed = pick(&mut rng, &seeds);
        let input = if rng.chance(50) {
            let mut value: serde_json::Value = serde_json::from_str(seed).unwrap_or_default();
            mutate_json(&mut rng, &mut value);
            value.to_string()
        } else {
            mutate(&mut rng, seed)
        };
        tally.inputs += 1;
        match catch_unwind(AssertUnwindSafe(|| TraceFile::from_json(&input))) {
            Err(_) => tally.panics.push(input),
            Ok(Ok(file)) => {
                tally.accepted += 1;
                assert_eq!(TraceFile::from_json(&file.to_json()).as_ref(), Ok(&file));
            }
            Ok(Err(e)) => tally.reject(&input, kind_of(&e), e.to_string()),
        }
    }
    tally.report("TraceFile::from_json");
}
