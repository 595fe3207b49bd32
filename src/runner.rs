//! The native runner behind `cargo run --release --example simulate`: prints a scenario's trace
//! as JSON lines and a final JSON summary, or one of the exports (trace file, scenario file,
//! Mermaid sequence diagram, Step Functions state machine, link); lists presets, and runs the
//! fault matrix.

use std::io::{self, Write};

use crate::engine::commit::{CommitPlan, Protocol};
use crate::engine::matrix::{self, MatrixRow};
use crate::engine::presets::{self, PRESETS};
use crate::engine::run::{run_to_rest, Watch};
use crate::engine::{Coordination, Scenario, Simulation, Storage};
use crate::share::{asl, commit_export, export, link, mermaid};

const HELP: &str = "\
simulate — run a Sagascope scenario natively and print its trace

USAGE:
    simulate [--preset NAME | --scenario FILE | --link TEXT] [OPTIONS]
    simulate --list
    simulate --matrix

OPTIONS:
    --preset NAME            run a preset (see --list); default: happy-path
    --scenario FILE          run a scenario file (versioned JSON)
    --link TEXT              run the scenario a shared link carries (the text after #)
    --coordination STYLE     orchestration | choreography (overrides the scenario)
    --storage MODE           per-service | shared (overrides the scenario)
    --seed N                 the seed (overrides the scenario)
    --summary-only           print only the summary line
    --export KIND            print one export instead of the trace lines and summary:
                               trace     the run's trace file (versioned JSON)
                               scenario  the scenario file (re-importable)
                               mermaid   the run as a Mermaid sequenceDiagram
                               asl       the saga as an AWS Step Functions state machine
                               link      the shareable link (the text after #)
                               commit-trace    the run's customers as 2PC / 3PC transactions:
                                               the commit run's trace file (JSON)
                               commit-mermaid  the same as a Mermaid sequenceDiagram
    --protocol P             for the commit exports: 2pc (default) | 3pc
    --plan PLAN              for the commit exports: none (default) | crash |
                             crash-for-good | partition
    --list                   name the presets
    --matrix                 run every single fault and every pair over the restaurant saga,
                             in both styles, and print a table
    --help                   this text

OUTPUT:
    one JSON object per trace event, then one summary object:
    {\"summary\": {outcome per saga, tables, invariants}}.
    Exit status 1 on bad input, 2 if any invariant broke (0 after an export).";

/// What `--export` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExportKind {
    Trace,
    Scenario,
    Mermaid,
    Asl,
    Link,
    CommitTrace,
    CommitMermaid,
}

struct Options {
    preset: Option<String>,
    scenario_file: Option<String>,
    link: Option<String>,
    export: Option<ExportKind>,
    coordination: Option<Coordination>,
    storage: Option<Storage>,
    seed: Option<u64>,
    protocol: Protocol,
    plan: CommitPlan,
    summary_only: bool,
    list: bool,
    matrix: bool,
    help: bool,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        preset: None,
        scenario_file: None,
        link: None,
        export: None,
        coordination: None,
        storage: None,
        seed: None,
        protocol: Protocol::TwoPhase,
        plan: CommitPlan::NoFailure,
        summary_only: false,
        list: false,
        matrix: false,
        help: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--preset" => o.preset = Some(value("--preset")?),
            "--scenario" => o.scenario_file = Some(value("--scenario")?),
            "--link" => o.link = Some(value("--link")?),
            "--export" => {
                o.export = Some(match value("--export")?.as_str() {
                    "trace" => ExportKind::Trace,
                    "scenario" => ExportKind::Scenario,
                    "mermaid" => ExportKind::Mermaid,
                    "asl" => ExportKind::Asl,
                    "link" => ExportKind::Link,
                    "commit-trace" => ExportKind::CommitTrace,
                    "commit-mermaid" => ExportKind::CommitMermaid,
                    other => {
                        return Err(format!(
                            "unknown export {other:?}: use trace, scenario, mermaid, asl, link, commit-trace or commit-mermaid"
                        ))
                    }
                })
            }
            "--coordination" => {
                o.coordination = Some(match value("--coordination")?.as_str() {
                    "orchestration" => Coordination::Orchestration,
                    "choreography" => Coordination::Choreography,
                    other => {
                        return Err(format!(
                            "unknown coordination {other:?}: use orchestration or choreography"
                        ))
                    }
                })
            }
            "--storage" => {
                o.storage = Some(match value("--storage")?.as_str() {
                    "per-service" | "per_service" => Storage::PerService,
                    "shared" => Storage::Shared,
                    other => {
                        return Err(format!(
                            "unknown storage {other:?}: use per-service or shared"
                        ))
                    }
                })
            }
            "--seed" => {
                let v = value("--seed")?;
                o.seed = Some(
                    v.parse()
                        .map_err(|_| format!("--seed needs a whole number, not {v:?}"))?,
                );
            }
            "--protocol" => {
                let v = value("--protocol")?;
                o.protocol = Protocol::parse(&v)
                    .ok_or_else(|| format!("unknown protocol {v:?}: use 2pc or 3pc"))?;
            }
            "--plan" => {
                let v = value("--plan")?;
                o.plan = CommitPlan::parse(&v).ok_or_else(|| {
                    format!("unknown plan {v:?}: use none, crash, crash-for-good or partition")
                })?;
            }
            "--summary-only" => o.summary_only = true,
            "--list" => o.list = true,
            "--matrix" => o.matrix = true,
            "--help" | "-h" => o.help = true,
            other => return Err(format!("unknown argument {other:?} (see --help)")),
        }
    }
    let sources = [
        o.preset.is_some(),
        o.scenario_file.is_some(),
        o.link.is_some(),
    ];
    if sources.iter().filter(|given| **given).count() > 1 {
        return Err("give one of --preset, --scenario and --link".to_string());
    }
    if o.export.is_some() && o.summary_only {
        return Err("--export prints the export alone; drop --summary-only".to_string());
    }
    Ok(o)
}

fn load_scenario(o: &Options) -> Result<Scenario, String> {
    let mut scenario = match &o.scenario_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            Scenario::from_json(&text).map_err(|e| format!("{path}: {e}"))?
        }
        None if o.link.is_some() => {
            let text = o.link.as_deref().unwrap_or_default();
            link::decode(text)
                .map_err(|e| format!("--link: {e}"))?
                .scenario
        }
        None => {
            let id = o.preset.as_deref().unwrap_or("happy-path");
            let preset =
                presets::find(id).ok_or_else(|| format!("unknown preset {id:?} (see --list)"))?;
            let coordination = o.coordination.or(preset.only).unwrap_or_default();
            if !preset.runs_in(coordination) {
                let only = preset.only.unwrap_or_default().as_str();
                return Err(format!(
                    "preset {id:?} runs in {only} only; use --coordination {only}"
                ));
            }
            presets::scenario(
                id,
                coordination,
                o.storage.unwrap_or_default(),
                o.seed.unwrap_or(0),
            )
            .ok_or_else(|| format!("unknown preset {id:?}"))?
        }
    };
    if let Some(c) = o.coordination {
        scenario.coordination = c;
    }
    if let Some(s) = o.storage {
        scenario.storage = s;
    }
    if let Some(seed) = o.seed {
        scenario.seed = seed;
    }
    scenario.validate().map_err(|e| e.to_string())?;
    Ok(scenario)
}

fn print_matrix(out: &mut dyn Write) -> io::Result<u8> {
    let started = std::time::Instant::now();
    let rows = matrix::run_matrix(Watch::EveryEvent);
    let elapsed = started.elapsed();
    writeln!(
        out,
        "{:<14} {:<20} {:>6}  {:<10} faults",
        "style", "outcome", "events", "invariants"
    )?;
    for row in &rows {
        writeln!(out, "{}", matrix_line(row))?;
    }
    let broken = rows.iter().filter(|r| !r.broken.is_empty()).count();
    writeln!(
        out,
        "{} runs, {} with a broken invariant, checked after every event, in {:.1} ms",
        rows.len(),
        broken,
        elapsed.as_secs_f64() * 1000.0
    )?;
    Ok(if broken == 0 { 0 } else { 2 })
}

fn matrix_line(row: &MatrixRow) -> String {
    let invariants = if row.broken.is_empty() {
        "all hold".to_string()
    } else {
        format!("broke {:?}", row.broken)
    };
    format!(
        "{:<14} {:<20} {:>6}  {:<10} {}",
        row.coordination.as_str(),
        row.outcome.as_str(),
        row.events,
        invariants,
        row.faults.join(" + ")
    )
}

/// Runs the command line `args` (without the program name), writing to `out` and `err`;
/// returns the exit status: 0 fine, 1 bad input, 2 an invariant broke.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match run_inner(args, out) {
        Ok(code) => code,
        Err(Failure::BadInput(message)) => {
            let _ = writeln!(err, "simulate: {message}");
            1
        }
        Err(Failure::Io(e)) => {
            let _ = writeln!(err, "simulate: cannot write output: {e}");
            1
        }
    }
}

enum Failure {
    BadInput(String),
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

fn run_inner(args: &[String], out: &mut dyn Write) -> Result<u8, Failure> {
    let options = parse_args(args).map_err(Failure::BadInput)?;
    if options.help {
        writeln!(out, "{HELP}")?;
        return Ok(0);
    }
    if options.list {
        for p in PRESETS.iter() {
            let only = match p.only {
                Some(Coordination::Orchestration) => " (orchestration only)",
                Some(Coordination::Choreography) => " (choreography only)",
                None => "",
            };
            writeln!(out, "{:<24} {}{only}", p.id, p.description)?;
        }
        return Ok(0);
    }
    if options.matrix {
        return Ok(print_matrix(out)?);
    }
    let scenario = load_scenario(&options).map_err(Failure::BadInput)?;
    if let Some(kind) = options.export {
        return print_export(kind, scenario, (options.protocol, options.plan), out);
    }
    let mut sim = Simulation::new(scenario).map_err(|e| Failure::BadInput(e.to_string()))?;
    let report = run_to_rest(&mut sim, Watch::EveryEvent, true);
    if !options.summary_only {
        for event in sim.trace() {
            writeln!(out, "{}", event.to_json())?;
        }
    }
    let summary = serde_json::json!({
        "summary": {
            "scenario": sim.scenario().name,
            "coordination": sim.scenario().coordination,
            "storage": sim.scenario().storage,
            "seed": sim.scenario().seed,
            "outcome": report.outcome,
            "sagas": sim.sagas().iter().map(|s| serde_json::json!({
                "saga": s.id,
                "customer": s.spec.customer,
                "outcome": s.outcome,
                "ended_ms": s.ended_ms,
                "stuck": s.stuck,
                "stuck_reason": s.stuck_reason,
            })).collect::<Vec<_>>(),
            "events": report.events,
            "end_ms": report.end_ms,
            "settled": report.settled,
            "tables": sim.tables(),
            "dead_letters": sim.dead_letters(),
            "invariants": report.invariants,
        }
    });
    writeln!(out, "{summary}")?;
    Ok(if report.all_hold() { 0 } else { 2 })
}

fn print_export(
    kind: ExportKind,
    scenario: Scenario,
    (protocol, plan): (Protocol, CommitPlan),
    out: &mut dyn Write,
) -> Result<u8, Failure> {
    let text = match kind {
        ExportKind::Scenario => scenario.to_json(),
        ExportKind::Asl => asl::to_json(&scenario),
        ExportKind::Link => {
            let state = link::LinkState {
                preset: link::detect_preset(&scenario),
                scenario,
                moment: link::Playhead::Start,
            };
            link::encode(&state).map_err(|e| Failure::BadInput(e.to_string()))?
        }
        ExportKind::CommitTrace => commit_export::commit_trace_json(&scenario, protocol, plan)
            .map_err(|e| Failure::BadInput(e.to_string()))?,
        ExportKind::CommitMermaid => commit_export::commit_mermaid(&scenario, protocol, plan)
            .map_err(|e| Failure::BadInput(e.to_string()))?,
        ExportKind::Trace | ExportKind::Mermaid => {
            let mut sim =
                Simulation::new(scenario).map_err(|e| Failure::BadInput(e.to_string()))?;
            run_to_rest(&mut sim, Watch::AtEnd, false);
            if kind == ExportKind::Trace {
                export::trace_json(&sim)
            } else {
                mermaid::sequence_diagram(&sim)
            }
        }
    };
    write!(out, "{text}")?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(0)
}
