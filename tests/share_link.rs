//! Shareable links: exact round trips, the same trace after opening, and clear rejections.

mod common;
mod share_support;

use sagascope::engine::history::{CheckedRun, History};
use sagascope::engine::presets::{self, PRESETS};
use sagascope::engine::rng::Rng;
use sagascope::engine::{Coordination, Event, FaultKind, Scenario, Simulation, Storage};
use sagascope::share::link::{self, LinkError, LinkState, Playhead, MAX_LINK_BYTES};
use share_support::{interactive_run, random_fault, random_scenario, STORAGES, STYLES};

const SEEDS: [u64; 3] = [0, 7, 1_234_567_890_123];

fn trace_lines(events: &[Event]) -> Vec<String> {
    events.iter().map(Event::to_json).collect()
}

fn decode_err(text: &str) -> String {
    link::decode(text)
        .expect_err("must be rejected")
        .to_string()
}

#[test]
fn the_issue_example_is_a_short_readable_link() {
    let scenario = presets::scenario(
        "restaurant-rejects",
        Coordination::Choreography,
        Storage::PerService,
        7,
    )
    .expect("preset");
    let state = LinkState {
        scenario: scenario.clone(),
        moment: Playhead::AtMs(5_230),
        preset: presets::find("restaurant-rejects"),
    };
    let text = link::encode(&state).expect("encodes");
    assert_eq!(text, "v=1&p=restaurant-rejects&c=ch&st=ps&seed=7&at=5230");
    assert_eq!(link::decode(&text), Ok(state));
    println!(
        "figures: link for restaurant-rejects, choreography, seed 7, at 5230 ms: {text} ({} bytes)",
        text.len()
    );
}

#[test]
fn every_preset_round_trips_exactly_with_interactive_commands() {
    let mut rng = Rng::new(5);
    let mut checked = 0;
    for preset in PRESETS.iter() {
        for style in STYLES {
            if !preset.runs_in(style) {
                continue;
            }
            for (i, seed) in SEEDS.into_iter().enumerate() {
                let storage = STORAGES[i % 2];
                let sim = interactive_run(preset.id, style, storage, seed, &mut rng, i * 2);
                let count = sim.event_count();
                let moment = match i {
                    0 => Playhead::Start,
                    1 => Playhead::AtMs(sim.now_ms()),
                    _ => Playhead::Event(count.saturating_sub(1 + rng.up_to(count / 2))),
                };
                let state = LinkState::of_run(&sim, moment);
                assert_eq!(state.preset.map(|p| p.id), Some(preset.id));
                let text = link::encode(&state).expect("encodes");
                assert!(text.starts_with(&format!("v=1&p={}&", preset.id)), "{text}");
                assert!(!text.contains("&s="), "preset form expected: {text}");
                assert_eq!(link::decode(&text).as_ref(), Ok(&state), "{text}");

                // The same run without naming its preset travels as a whole scenario.
                let bare = LinkState {
                    preset: None,
                    ..state.clone()
                };
                let text = link::encode(&bare).expect("encodes");
                assert!(text.starts_with("v=1&s="), "{text}");
                assert_eq!(link::decode(&text), Ok(bare));
                checked += 2;
            }
        }
    }
    println!("figures: {checked} preset runs with interactive commands, link → run → link exact");
}

#[test]
fn a_decoded_link_replays_the_same_trace_bytes() {
    let mut rng = Rng::new(11);
    let mut commands_given = 0;
    for preset in PRESETS.iter() {
        for style in STYLES {
            if !preset.runs_in(style) {
                continue;
            }
            let seed = rng.up_to(1_000);
            let sim = interactive_run(preset.id, style, Storage::PerService, seed, &mut rng, 4);
            commands_given += sim.issued_commands().len();
            let original = trace_lines(sim.trace());

            let at = link::encode(&LinkState::of_run(&sim, Playhead::AtMs(sim.now_ms())))
                .expect("encodes");
            let opened = link::decode(&at).expect("decodes");
            let mut replay = Simulation::new(opened.scenario).expect("valid");
            opened.moment.reach(&mut replay);
            assert_eq!(
                trace_lines(replay.trace()),
                original,
                "{} {style:?}: {at}",
                preset.id
            );

            let last = sim.event_count().saturating_sub(1);
            let ev = link::encode(&LinkState::of_run(&sim, Playhead::Event(last))).expect("ok");
            let opened = link::decode(&ev).expect("decodes");
            let mut replay = Simulation::new(opened.scenario).expect("valid");
            opened.moment.reach(&mut replay);
            let replayed = trace_lines(replay.trace());
            assert!(replayed.len() >= original.len(), "{ev}");
            assert_eq!(replayed[..original.len()], original[..], "{ev}");
        }
    }
    assert!(commands_given > 20, "{commands_given}");
}

#[test]
fn random_scenarios_round_trip_as_whole_scenarios() {
    let mut rng = Rng::new(3);
    let mut longest = 0;
    for i in 0..2_000 {
        let scenario = random_scenario(&mut rng);
        let state = LinkState {
            scenario,
            moment: if i % 2 == 0 {
                Playhead::AtMs(rng.up_to(600_000))
            } else {
                Playhead::Event(rng.up_to(1_000_000))
            },
            // A label only: the scenario is not the preset's.
            preset: (i % 3 == 0).then(|| &PRESETS[i % PRESETS.len()]),
        };
        let text = link::encode(&state).expect("encodes");
        longest = longest.max(text.len());
        assert_eq!(link::decode(&text).as_ref(), Ok(&state), "{text}");
    }
    println!("figures: 2000 random scenarios, link → scenario exact; longest link {longest} bytes");
}

#[test]
fn a_scenario_too_big_for_a_link_is_refused_when_encoding() {
    let mut s = Scenario::new(vec![]);
    s.description = "x".repeat(2_000);
    for _ in 0..8 {
        s.sagas.push(sagascope::engine::SagaSpec::new(
            &"é".repeat(30),
            &"ü".repeat(30),
        ));
    }
    for i in 0..200 {
        s.commands
            .push(sagascope::engine::scenario::ScheduledCommand {
                at_ms: i,
                command: sagascope::engine::Command::Redrive,
            });
    }
    let state = LinkState {
        scenario: s,
        moment: Playhead::Start,
        preset: None,
    };
    match link::encode(&state) {
        Err(LinkError::TooLong(n)) => assert!(n > MAX_LINK_BYTES),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_invalid_scenario_is_refused_when_encoding() {
    let mut s = Scenario::new(vec![]);
    s.seed = 1;
    s.timing.network_ms = 0;
    let state = LinkState {
        scenario: s,
        moment: Playhead::Start,
        preset: None,
    };
    let e = link::encode(&state).expect_err("invalid").to_string();
    assert!(e.contains("timing.network_ms"), "{e}");
}

#[test]
fn an_address_a_hash_or_a_query_are_all_read() {
    let text = "v=1&p=card-declined&c=or&st=sh&seed=3&ev=12";
    let plain = link::decode(text).expect("decodes");
    for wrapped in [
        format!("#{text}"),
        format!("?{text}"),
        format!("https://sagascope.example/#{text}"),
        format!("https://sagascope.example/?x=1#{text}"),
        format!("  {text}\n"),
    ] {
        assert_eq!(link::decode(&wrapped).as_ref(), Ok(&plain), "{wrapped}");
    }
    assert_eq!(plain.moment, Playhead::Event(12));
    assert_eq!(plain.scenario.storage, Storage::Shared);
}

#[test]
fn long_names_for_style_and_storage_are_read_too() {
    let short = link::decode("v=1&p=happy-path&c=ch&st=sh&seed=1").expect("ok");
    let long = link::decode("v=1&p=happy-path&c=choreography&st=shared&seed=1").expect("ok");
    assert_eq!(short, long);
    // Defaults when left out: orchestration, a database per service, seed 0.
    let bare = link::decode("v=1&p=happy-path").expect("ok");
    assert_eq!(
        Some(bare.scenario),
        presets::scenario(
            "happy-path",
            Coordination::Orchestration,
            Storage::PerService,
            0
        )
    );
}

#[test]
fn every_fault_and_command_item_is_read() {
    let text = "v=1&p=happy-path&c=or&st=ps&seed=0\
        &f=fail.2~fail.3.s1~transient.2.2~noreply.1.1.s0~ambiguous.2.1~undofails.2~undofails.1.3\
        ~undofails.3.s2~undofails.2.4.s1~latency.payment.2500~down.notification.9000\
        ~dbdown.calendar.100~crash.3000~drop.2~drop.1.bus~dup.1.payment~delay.700.2\
        ~delay.1.1.reservation~reorder.3~reorder.1.calendar~poison.payment~chaos.25.20000\
        ~commitcrash.payment.2\
        &x=100.cancel.0~200.remove.3~300.redrive~400.start.Grace.Fri%2019%3A30.4.6000.300\
        ~500.transient.2.1~600.chaos.5.100";
    let e = decode_err(text);
    assert!(e.contains("f, item 15 (\"drop.1.bus\")"), "{e}");
    assert!(e.contains("not a service"), "{e}");
    let state = link::decode(&text.replace("drop.1.bus", "drop.1.payment")).expect("valid");
    assert_eq!(state.scenario.faults.len(), 23);
    assert_eq!(state.scenario.commands.len(), 6);
    assert_eq!(
        link::decode(&link::encode(&state).expect("encodes")),
        Ok(state)
    );
}

#[test]
fn tampered_links_say_what_is_wrong() {
    let valid_scenario_link = {
        let mut s = Scenario::new(vec![sagascope::engine::SagaSpec::new("Ada", "Fri")]);
        s.seed = 9;
        link::encode(&LinkState {
            scenario: s,
            moment: Playhead::AtMs(10),
            preset: None,
        })
        .expect("encodes")
    };
    let payload = valid_scenario_link
        .trim_start_matches("v=1&s=")
        .split('&')
        .next()
        .unwrap_or_default()
        .to_string();
    let json = link::compact_json(&Scenario::new(vec![]));
    let cut_json = sagascope::share::base64url::encode(&json.as_bytes()[..json.len() - 3]);
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "carries no run"),
        ("#".into(), "carries no run"),
        (
            "v=2&p=happy-path".into(),
            "link version \"2\" is not supported",
        ),
        ("p=happy-path&seed=1".into(), "no version"),
        ("v=1".into(), "names no preset"),
        ("v=1&p=nope".into(), "no preset called \"nope\""),
        (
            "v=1&p=happy-path&seed=7x".into(),
            "seed: \"7x\" is not a whole number",
        ),
        (
            "v=1&p=happy-path&seed=99999999999999999999999".into(),
            "seed: 99999999999999999999999 is too large",
        ),
        (
            "v=1&p=happy-path&c=xx".into(),
            "c: \"xx\" is not a coordination style",
        ),
        (
            "v=1&p=happy-path&st=cloud".into(),
            "st: \"cloud\" is not a storage mode",
        ),
        ("v=1&p=happy-path&colour=red".into(), "parameter \"colour\""),
        (
            "v=1&p=happy-path&seed=1&seed=2".into(),
            "gives \"seed\" twice",
        ),
        (
            "v=1&p=happy-path&junk".into(),
            "\"junk\" in the link is not a name=value pair",
        ),
        (
            "v=1&p=happy-path&at=1&ev=2".into(),
            "both a time (at=) and an event (ev=)",
        ),
        (
            "v=1&p=happy-path&at=600001".into(),
            "at: 600001 ms is after the end of a run",
        ),
        (
            "v=1&p=happy-path&ev=-1".into(),
            "ev: \"-1\" is not a whole number",
        ),
        (
            "v=1&p=happy-path&f=fail.9".into(),
            "the link's scenario is not valid: faults[0].step: 9 is not a step",
        ),
        (
            "v=1&p=happy-path&f=fail.5".into(),
            "step 5 (Notify) is retriable",
        ),
        (
            "v=1&p=happy-path&f=zap.1".into(),
            "f, item 1 (\"zap.1\"): \"zap\" is not a fault",
        ),
        (
            "v=1&p=happy-path&f=transient.2".into(),
            "f, item 1 (\"transient.2\"): the times is missing",
        ),
        (
            "v=1&p=happy-path&f=transient.2.2.7".into(),
            "\"7\" should be a saga",
        ),
        (
            "v=1&p=happy-path&f=poison.payment.3".into(),
            "\"3\" is one field too many",
        ),
        (
            "v=1&p=happy-path&x=100.zap".into(),
            "x, item 1 (\"100.zap\")",
        ),
        (
            "v=1&p=happy-path&x=cancel.0".into(),
            "time: \"cancel\" is not a whole number",
        ),
        (
            "v=1&p=happy-path&x=1.remove.0".into(),
            "commands[0].fault: no fault number 0",
        ),
        (
            "v=1&p=happy-path&x=1.start.A%2.2.1.0".into(),
            "% is not followed by two hex digits",
        ),
        ("v=1&p=happy-path&x=1.start.%FF.s.2.1.0".into(), "not UTF-8"),
        (
            "v=1&p=happy-path&x=1.start.%20.s.2.1.0".into(),
            "customer: must be 1 to 60 characters",
        ),
        (
            "v=1&s=@@@@".into(),
            "s: the scenario is damaged: character 0 is not base64url",
        ),
        ("v=1&s=e30".into(), "missing field `version`"),
        ("v=1&s=_w".into(), "not UTF-8"),
        (format!("v=1&s={payload}&c=ch"), "cannot also give \"c\""),
        (
            format!("v=1&s={}", &payload[..payload.len() / 2]),
            "s: the scenario is damaged",
        ),
        (
            format!("v=1&s={}", &payload[..payload.len() - 4]),
            "s: the scenario is damaged",
        ),
        (format!("v=1&s={cut_json}"), "EOF while parsing"),
        (
            format!("v=1&{}", "x".repeat(MAX_LINK_BYTES)),
            "bytes long; at most 8192",
        ),
    ];
    for (text, needle) in cases {
        let message = decode_err(&text);
        assert!(
            message.contains(needle),
            "{text:?}\n  said {message:?}\n  expected {needle:?}"
        );
    }
}

#[test]
fn moments_are_reached_exactly() {
    let scenario = presets::scenario(
        "slot-taken",
        Coordination::Orchestration,
        Storage::Shared,
        2,
    )
    .expect("preset");
    let mut full = Simulation::new(scenario.clone()).expect("valid");
    full.drive(600_000);
    let trace = full.trace().to_vec();
    let seq = trace.len() as u64 / 2;
    let mut sim = Simulation::new(scenario.clone()).expect("valid");
    Playhead::Event(seq).reach(&mut sim);
    assert!(sim.event_count() > seq);
    assert_eq!(sim.now_ms(), trace[seq as usize].at_ms);
    assert_eq!(sim.trace(), &trace[..sim.trace().len()]);
    // The same moment as the page's time travel rebuilds it.
    let start = Simulation::new(scenario.clone()).expect("valid");
    let sought = History::new(&CheckedRun::start(start))
        .seek(seq + 1)
        .expect("seek");
    assert_eq!(sought.sim.trace(), sim.trace());

    let t = trace[seq as usize].at_ms;
    let mut sim = Simulation::new(scenario.clone()).expect("valid");
    Playhead::AtMs(t).reach(&mut sim);
    assert!(sim.trace().iter().all(|e| e.at_ms <= t));
    assert_eq!(
        sim.trace().len(),
        trace.iter().filter(|e| e.at_ms <= t).count()
    );

    let mut sim = Simulation::new(scenario).expect("valid");
    let at_start = sim.event_count();
    Playhead::Start.reach(&mut sim);
    assert_eq!((sim.event_count(), sim.now_ms()), (at_start, 0));
}

#[test]
fn a_preset_run_is_recognised_as_its_preset() {
    for preset in PRESETS.iter() {
        for style in STYLES {
            let s = presets::scenario(preset.id, style, Storage::Shared, 77).expect("preset");
            assert_eq!(link::detect_preset(&s).map(|p| p.id), Some(preset.id));
        }
    }
    let mut changed = presets::scenario(
        "happy-path",
        Coordination::Orchestration,
        Storage::PerService,
        0,
    )
    .expect("preset");
    changed.timing.network_ms = 10;
    assert_eq!(link::detect_preset(&changed), None);
}

#[test]
fn the_generator_draws_every_kind_and_each_rides_a_preset_link() {
    let mut rng = Rng::new(11);
    for kind in FaultKind::ALL {
        let fault = (0..1_000)
            .map(|_| random_fault(&mut rng))
            .find(|f| f.kind() == kind)
            .unwrap_or_else(|| panic!("{kind} not drawn in 1000 faults"));
        let style = if kind.applies_to(Coordination::Choreography) {
            Coordination::Choreography
        } else {
            Coordination::Orchestration
        };
        let mut scenario = presets::scenario("happy-path", style, Storage::Shared, 5).unwrap();
        scenario.faults.push(fault);
        let state = LinkState {
            preset: link::detect_preset(&scenario),
            scenario,
            moment: Playhead::Start,
        };
        let text = link::encode(&state).unwrap();
        assert!(text.contains("&f="), "{kind}: {text}");
        assert_eq!(link::decode(&text), Ok(state), "{text}");
    }
}
