//! The preset form of a link: a preset named by its id, with the style, storage and seed it runs
//! under and what the scenario changes in it (switched safeguards, added faults and commands).

use crate::engine::fault::FaultSpec;
use crate::engine::presets::{self, Preset, PRESETS};
use crate::engine::safeguard::Safeguard;
use crate::engine::scenario::{Coordination, Safeguards, Scenario, ScheduledCommand, Storage};

use super::fields::{item_error, items, number, Fields};
use super::items::{command_item, fault_item, parse_command_item, parse_fault_item};
use super::{bad, shorten, LinkError, Params};

/// The preset whose scenario (for the same style, storage and seed) `scenario` extends with
/// switched safeguards, faults and commands only, if there is one.
pub fn detect_preset(scenario: &Scenario) -> Option<&'static Preset> {
    PRESETS
        .iter()
        .find(|p| preset_extras(scenario, p).is_some())
}

/// What a scenario changes in a preset's.
pub(super) struct PresetExtras {
    /// The safeguards switched from the preset's own, and how.
    switched: Vec<(Safeguard, bool)>,
    /// Faults after the preset's own.
    faults: Vec<FaultSpec>,
    /// Commands after the preset's own.
    commands: Vec<ScheduledCommand>,
}

/// The preset form's parameters after the version: the preset, its style, storage and seed,
/// and what the scenario changes in it.
pub(super) fn preset_params(
    params: &mut Vec<(&str, String)>,
    s: &Scenario,
    preset: &Preset,
    extras: PresetExtras,
) {
    params.push(("p", preset.id.to_string()));
    params.push(("c", coordination_code(s.coordination).to_string()));
    params.push(("st", storage_code(s.storage).to_string()));
    params.push(("seed", s.seed.to_string()));
    if !extras.switched.is_empty() {
        let items: Vec<String> = extras
            .switched
            .iter()
            .map(|(safeguard, on)| {
                format!("{}.{}", safeguard.as_str(), if *on { "on" } else { "off" })
            })
            .collect();
        params.push(("sg", items.join("~")));
    }
    let (faults, commands) = (extras.faults, extras.commands);
    if !faults.is_empty() {
        let items: Vec<String> = faults.iter().map(fault_item).collect();
        params.push(("f", items.join("~")));
    }
    if !commands.is_empty() {
        let items: Vec<String> = commands.iter().map(command_item).collect();
        params.push(("x", items.join("~")));
    }
}

/// What `scenario` changes in `preset`'s scenario, if it is that scenario otherwise.
pub(super) fn preset_extras(scenario: &Scenario, preset: &Preset) -> Option<PresetExtras> {
    let base = presets::scenario(
        preset.id,
        scenario.coordination,
        scenario.storage,
        scenario.seed,
    )?;
    if !scenario.faults.starts_with(&base.faults) || !scenario.commands.starts_with(&base.commands)
    {
        return None;
    }
    let switched = Safeguard::ALL
        .into_iter()
        .filter(|s| scenario.safeguards.get(*s) != base.safeguards.get(*s))
        .map(|s| (s, scenario.safeguards.get(s)))
        .collect();
    let extra_faults = scenario.faults[base.faults.len()..].to_vec();
    let extra_commands = scenario.commands[base.commands.len()..].to_vec();
    let mut rebuilt = base;
    rebuilt.safeguards = scenario.safeguards.clone();
    rebuilt.faults.extend(extra_faults.iter().cloned());
    rebuilt.commands.extend(extra_commands.iter().cloned());
    // The pessimistic view reorders the saga it runs: compare the scenarios as they run.
    (rebuilt.as_run() == scenario.clone().as_run()).then_some(PresetExtras {
        switched,
        faults: extra_faults,
        commands: extra_commands,
    })
}

fn coordination_code(c: Coordination) -> &'static str {
    match c {
        Coordination::Orchestration => "or",
        Coordination::Choreography => "ch",
    }
}

fn storage_code(s: Storage) -> &'static str {
    match s {
        Storage::PerService => "ps",
        Storage::Shared => "sh",
    }
}

pub(super) fn scenario_from_preset(
    params: &Params<'_>,
    preset: &Preset,
) -> Result<Scenario, LinkError> {
    let coordination = match params.get("c") {
        None => Coordination::default(),
        Some("or" | "orchestration") => Coordination::Orchestration,
        Some("ch" | "choreography") => Coordination::Choreography,
        Some(other) => {
            return Err(bad(
                "c",
                format!(
                    "{:?} is not a coordination style: use \"or\" (orchestration) or \"ch\" (choreography)",
                    shorten(other)
                ),
            ))
        }
    };
    let storage = match params.get("st") {
        None => Storage::default(),
        Some("ps" | "per_service" | "per-service") => Storage::PerService,
        Some("sh" | "shared") => Storage::Shared,
        Some(other) => {
            return Err(bad(
                "st",
                format!(
                    "{:?} is not a storage mode: use \"ps\" (per service) or \"sh\" (shared)",
                    shorten(other)
                ),
            ))
        }
    };
    let seed = match params.get("seed") {
        None => 0,
        Some(text) => number::<u64>(text).map_err(|p| bad("seed", p))?,
    };
    let mut scenario = presets::scenario(preset.id, coordination, storage, seed)
        .ok_or_else(|| LinkError::UnknownPreset(preset.id.to_string()))?;
    switch_safeguards(&mut scenario.safeguards, params.get("sg"))?;
    for (i, item) in items(params.get("f")).enumerate() {
        let fault = parse_fault_item(item).map_err(|problem| item_error("f", i, item, problem))?;
        scenario.faults.push(fault);
    }
    for (i, item) in items(params.get("x")).enumerate() {
        let command =
            parse_command_item(item).map_err(|problem| item_error("x", i, item, problem))?;
        scenario.commands.push(command);
    }
    scenario.validate()?;
    Ok(scenario)
}

/// Applies a link's `sg` items (`NAME.on`, `NAME.off`) to a preset's safeguards.
fn switch_safeguards(safeguards: &mut Safeguards, value: Option<&str>) -> Result<(), LinkError> {
    for (i, item) in items(value).enumerate() {
        let mut f = Fields::new(item);
        let switched = f
            .take("safeguard")
            .and_then(|name| {
                Safeguard::parse(name).ok_or_else(|| {
                    let known: Vec<&str> = Safeguard::ALL.iter().map(|s| s.as_str()).collect();
                    format!(
                        "{:?} is not a safeguard: use {}",
                        shorten(name),
                        known.join(", ")
                    )
                })
            })
            .and_then(|safeguard| {
                let on = match f.take("state")? {
                    "on" => true,
                    "off" => false,
                    other => return Err(format!("{:?} should be on or off", shorten(other))),
                };
                f.finish((safeguard, on))
            })
            .map_err(|problem| item_error("sg", i, item, problem))?;
        let (safeguard, on) = switched;
        safeguards.set(safeguard, on);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::share::link::{decode, encode, LinkState, Playhead};

    #[test]
    fn every_safeguard_switched_either_way_rides_the_preset_form() {
        for preset in PRESETS {
            let style = Coordination::Orchestration;
            for safeguard in Safeguard::ALL {
                let mut scenario =
                    presets::scenario(preset.id, style, Storage::PerService, 4).unwrap();
                let own = scenario.safeguards.get(safeguard);
                scenario.safeguards.set(safeguard, !own);
                // The scenario as the page holds it: the one its simulation runs.
                let scenario = crate::engine::Simulation::new(scenario)
                    .unwrap()
                    .replay_scenario();
                let state = LinkState {
                    preset: detect_preset(&scenario),
                    scenario,
                    moment: Playhead::AtMs(1_500),
                };
                assert_eq!(state.preset.map(|p| p.id), Some(preset.id));
                let text = encode(&state).unwrap();
                let item = format!(
                    "sg={}.{}",
                    safeguard.as_str(),
                    if own { "off" } else { "on" }
                );
                assert!(text.contains(&item), "{text}");
                assert!(!text.contains("&s="), "{text}");
                // It comes back as the same run (the pessimistic view reorders the saga when it
                // runs, not in the link).
                let back = decode(&text).unwrap();
                assert_eq!(back.scenario.as_run(), state.scenario.as_run(), "{text}");
                assert_eq!(back.moment, state.moment, "{text}");
                assert_eq!(back.preset.map(|p| p.id), Some(preset.id), "{text}");
            }
        }
    }

    #[test]
    fn a_link_without_safeguards_keeps_the_presets_own() {
        let state = decode("v=1&p=no-idempotency&c=ch").unwrap();
        assert!(!state.scenario.safeguards.idempotency);
        assert!(state.scenario.safeguards.semantic_lock);
        let state = decode("v=1&p=no-semantic-lock").unwrap();
        assert!(!state.scenario.safeguards.semantic_lock);
        let state = decode("v=1&p=happy-path&sg=semantic_lock.off~idempotency.off").unwrap();
        assert_eq!(
            state.scenario.safeguards,
            Safeguards::default()
                .with(Safeguard::Idempotency, false)
                .with(Safeguard::SemanticLock, false)
        );
        // The preset's own state is not written.
        let own = presets::scenario(
            "no-idempotency",
            Coordination::Orchestration,
            Storage::PerService,
            0,
        )
        .unwrap();
        let text = encode(&LinkState {
            preset: detect_preset(&own),
            scenario: own,
            moment: Playhead::Start,
        })
        .unwrap();
        assert!(text.starts_with("v=1&p=no-idempotency&"), "{text}");
        assert!(!text.contains("sg="), "{text}");
    }

    #[test]
    fn bad_safeguard_items_say_what_is_wrong() {
        let err = |text: &str| decode(text).unwrap_err().to_string();
        assert!(err("v=1&p=happy-path&sg=firewall.off")
            .contains("is not a safeguard: use idempotency, semantic_lock"));
        assert!(err("v=1&p=happy-path&sg=idempotency.maybe").contains("should be on or off"));
        assert!(err("v=1&p=happy-path&sg=idempotency").contains("state is missing"));
        assert!(err("v=1&p=happy-path&sg=idempotency.on.x").contains("one field too many"));
        assert!(err("v=1&p=happy-path&sg=idempotency.on&sg=semantic_lock.on").contains("sg"));
        assert_eq!(
            decode("v=1&s=e30&sg=idempotency.on"),
            Err(LinkError::Conflict("sg"))
        );
    }
}
