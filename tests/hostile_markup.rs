//! Hostile text in a scenario file cannot become markup: every free-text field of a scenario is
//! set to an injection attempt, the scenario runs in both styles through every preset's faults,
//! and every renderer of HTML or SVG and every export is checked by a small checker of its own
//! (it shares nothing with the views' escaping).

use sagascope::engine::invariants::Monitor;
use sagascope::engine::presets::{self, PRESETS};
use sagascope::engine::{Coordination, Scenario, Simulation, Storage};
use sagascope::share::export::{self, TraceFile};
use sagascope::share::{asl, mermaid};
use sagascope::view::command::DataTab;
use sagascope::view::compare::{compare_html, figures};
use sagascope::view::gantt::{self, gantt_svg, span_description, GanttInput};
use sagascope::view::glossary::{glossary_html, ENTRIES};
use sagascope::view::html::{
    data_html, fault_menu_html, invariants_html, lines, log_line_html, narrated, narration_html,
    notice_html, outcome_html, share_html, share_menu_html, toolbar_html,
};
use sagascope::view::layout::nodes;
use sagascope::view::predict::{question, question_html, score_html, Score};
use sagascope::view::sequence::{sequence_svg, SequenceInput};
use sagascope::view::svg::{diagram_svg, tokens_svg, topics, DiagramState, Focus};
use sagascope::view::tables::{databases, databases_html};
use sagascope::view::teach::{
    fork_notice, help_html, timeline_label, timeline_legend, timeline_svg, views_html, Timeline,
    View,
};
use sagascope::view::tokens::tokens;

/// Injection attempts: each fits the 60 characters a customer or a slot may have.
const HOSTILE: [&str; 6] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "' onmouseover='x",
    "&amp;</title>",
    "]]>",
    "x\nNote over Customer: end; %%{init}%% #1 -->> <br>",
];

/// The elements the views write; anything else after a `<` is an injected element.
const TAGS: &[&str] = &[
    "a", "article", "b", "button", "caption", "circle", "cite", "dd", "defs", "details", "div",
    "dl", "dt", "ellipse", "g", "h1", "h2", "h3", "header", "input", "kbd", "label", "li", "line",
    "marker", "ol", "option", "p", "path", "pattern", "polygon", "polyline", "rect", "section",
    "select", "span", "strong", "summary", "svg", "table", "tbody", "td", "text", "tfoot", "th",
    "thead", "title", "tr", "tspan", "ul", "use",
];

/// Elements that never have a closing tag.
const VOID: &[&str] = &["input"];

/// Whether `text` at `at` starts a character reference (`&amp;`, `&#39;`, `&#x27;`).
fn entity_at(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at + 1..];
    let end = rest.find(';')?;
    let body = &rest[..end];
    let ok = if let Some(num) = body.strip_prefix("#x") {
        !num.is_empty() && num.chars().all(|c| c.is_ascii_hexdigit())
    } else if let Some(num) = body.strip_prefix('#') {
        !num.is_empty() && num.chars().all(|c| c.is_ascii_digit())
    } else {
        !body.is_empty() && body.len() <= 8 && body.chars().all(|c| c.is_ascii_alphanumeric())
    };
    ok.then_some(at + 1 + end + 1)
}

/// Checks markup: every `<` opens or closes an allowed element, elements nest, every attribute
/// value is double-quoted and holds no `<`, `>` or stray `&`, no attribute is an event handler,
/// and text holds no raw `>` or stray `&`.
fn check_markup(html: &str) -> Result<(), String> {
    let bytes = html.as_bytes();
    let mut open: Vec<&str> = Vec::new();
    let mut i = 0;
    let near = |at: usize| {
        let from = html.floor_char_boundary(at.saturating_sub(40));
        let to = html.ceil_char_boundary((at + 40).min(html.len()));
        html[from..to].to_string()
    };
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                let mut j = i + 1;
                let closing = bytes.get(j) == Some(&b'/');
                if closing {
                    j += 1;
                }
                let start = j;
                while j < bytes.len() && bytes[j].is_ascii_alphanumeric() {
                    j += 1;
                }
                let name = &html[start..j];
                if !TAGS.contains(&name) {
                    return Err(format!("element <{name}> not allowed near {:?}", near(i)));
                }
                if closing {
                    if bytes.get(j) != Some(&b'>') {
                        return Err(format!("bad closing tag near {:?}", near(i)));
                    }
                    if open.pop() != Some(name) {
                        return Err(format!("</{name}> closes nothing open near {:?}", near(i)));
                    }
                    i = j + 1;
                    continue;
                }
                // Attributes.
                let self_closing;
                loop {
                    while j < bytes.len() && bytes[j] == b' ' {
                        j += 1;
                    }
                    match bytes.get(j) {
                        Some(b'>') => {
                            self_closing = false;
                            j += 1;
                            break;
                        }
                        Some(b'/') if bytes.get(j + 1) == Some(&b'>') => {
                            self_closing = true;
                            j += 2;
                            break;
                        }
                        None => return Err(format!("unterminated tag near {:?}", near(i))),
                        _ => {}
                    }
                    let a = j;
                    while j < bytes.len()
                        && (bytes[j].is_ascii_alphanumeric() || b"-_:.".contains(&bytes[j]))
                    {
                        j += 1;
                    }
                    let attr = html[a..j].to_ascii_lowercase();
                    if attr.is_empty() {
                        return Err(format!("junk in a tag near {:?}", near(j)));
                    }
                    if attr.starts_with("on") {
                        return Err(format!("event handler {attr} near {:?}", near(j)));
                    }
                    if bytes.get(j) == Some(&b'=') {
                        j += 1;
                        if bytes.get(j) != Some(&b'"') {
                            return Err(format!("unquoted value of {attr} near {:?}", near(j)));
                        }
                        j += 1;
                        let v = j;
                        while j < bytes.len() && bytes[j] != b'"' {
                            match bytes[j] {
                                b'<' | b'>' => {
                                    return Err(format!("raw < or > in {attr} near {:?}", near(j)))
                                }
                                b'&' if entity_at(html, j).is_none() => {
                                    return Err(format!("stray & in {attr} near {:?}", near(j)))
                                }
                                _ => {}
                            }
                            j += 1;
                        }
                        if j >= bytes.len() {
                            return Err(format!("unterminated value near {:?}", near(v)));
                        }
                        if attr == "href" && html[v..j].trim_start().starts_with("javascript") {
                            return Err(format!("script link near {:?}", near(v)));
                        }
                        j += 1;
                        if !matches!(bytes.get(j), Some(b' ' | b'>' | b'/')) {
                            return Err(format!(
                                "text after the value of {attr} near {:?}",
                                near(j)
                            ));
                        }
                    }
                }
                if !self_closing && !VOID.contains(&name) {
                    open.push(name);
                }
                i = j;
            }
            b'>' => return Err(format!("raw > in text near {:?}", near(i))),
            b'&' => match entity_at(html, i) {
                Some(next) => i = next,
                None => return Err(format!("stray & in text near {:?}", near(i))),
            },
            _ => i += 1,
        }
    }
    match open.last() {
        Some(name) => Err(format!("<{name}> left open")),
        None => Ok(()),
    }
}

/// Checks a Mermaid sequence diagram: every line is a header, a comment, a declaration, an
/// arrow or a note, and the text of arrows and notes holds nothing Mermaid reads as syntax.
fn check_mermaid(text: &str) -> Result<(), String> {
    let mut lines = text.lines();
    if lines.next() != Some("sequenceDiagram") {
        return Err("no sequenceDiagram header".into());
    }
    let id = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && s.starts_with(|c: char| c.is_ascii_alphabetic())
    };
    for line in lines {
        let Some(body) = line.strip_prefix("    ") else {
            return Err(format!("unindented line {line:?}"));
        };
        if let Some(comment) = body.strip_prefix("%% ") {
            if comment.starts_with('{') {
                return Err(format!("a directive {line:?}"));
            }
            continue;
        }
        if body == "actor Customer"
            || body.strip_prefix("participant ").is_some_and(|p| {
                let p = p.split(" as ").next().unwrap_or("");
                id(p)
            })
        {
            continue;
        }
        let Some((head, said)) = body.split_once(": ") else {
            return Err(format!("neither arrow nor note {line:?}"));
        };
        let head_ok = match head.strip_prefix("Note over ") {
            Some(over) => over.split(',').all(id),
            None => ["-->>", "->>", "--x", "-x", "--)", "-)"]
                .iter()
                .any(|arrow| {
                    head.split_once(arrow)
                        .is_some_and(|(from, to)| id(from) && id(to))
                }),
        };
        if !head_ok {
            return Err(format!("bad arrow or note {line:?}"));
        }
        // Entity codes (`#60;`) are Mermaid's escapes; once they are gone, nothing it reads as
        // syntax may be left.
        let mut rest = said.to_string();
        while let Some(at) = rest.find('#') {
            let digits = rest[at + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .count();
            if digits == 0 || !rest[at + 1 + digits..].starts_with(';') {
                return Err(format!("stray # in {line:?}"));
            }
            rest.replace_range(at..at + digits + 2, "");
        }
        if rest.contains([';', '<', '>', '#']) || rest.chars().any(char::is_control) {
            return Err(format!("syntax in text {line:?}"));
        }
    }
    Ok(())
}

/// A preset's scenario with every free-text field hostile (`h`, with a tag where the engine
/// needs names to differ), read back the way a person's file is.
fn hostile_scenario(preset: &str, style: Coordination, h: &str) -> Option<Scenario> {
    let mut s = presets::scenario(preset, style, Storage::PerService, 7)?;
    s.name = h.to_string();
    s.description = format!("{h} {h}");
    for (i, saga) in s.sagas.iter_mut().enumerate() {
        saga.customer = format!("{h}{i}");
        saga.slot = format!("{i}{h}");
    }
    let def = &mut s.definition;
    def.name = h.to_string();
    def.start_event = format!("{h}·start");
    def.failure_notice_event = format!("{h}·notice");
    for (i, step) in def.steps.iter_mut().enumerate() {
        step.name = format!("{h}·step{i}");
        step.done_event = format!("{h}·done{i}");
        step.failed_event = format!("{h}·failed{i}");
        if let Some(e) = &mut step.compensated_event {
            *e = format!("{h}·undone{i}");
        }
        if let Some(b) = &mut step.business_failure {
            *b = format!("{h}·refused{i}");
        }
    }
    let read = Scenario::from_json(&s.to_json());
    assert_eq!(
        read.as_ref(),
        Ok(&s),
        "{preset}: the hostile file is refused"
    );
    read.ok()
}

/// Every markup of a run, named by its renderer.
fn every_markup(sim: &Simulation) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |name: &str, html: String| out.push((name.to_string(), html));
    let scenario = sim.scenario();
    let snapshot = sim.snapshot();
    let trace = sim.trace();
    let told = lines(sim);
    for (i, line) in told.iter().enumerate() {
        put("log_line_html", log_line_html(line, i % 2 == 0));
        put("narration_html", narration_html(Some(line), true, scenario));
    }
    put(
        "narration_html (live)",
        narration_html(narrated(&told, None), false, scenario),
    );
    put(
        "narration_html (opening)",
        narration_html(None, false, scenario),
    );
    for saga in 0..snapshot.sagas.len() {
        put("toolbar_html", toolbar_html(&snapshot, saga));
    }
    put("outcome_html", outcome_html(&snapshot, &[]));
    for tab in DataTab::ALL {
        put("data_html", data_html(tab, &snapshot, scenario));
    }
    put(
        "databases_html",
        databases_html(&databases(&snapshot, &scenario.definition)).into_string(),
    );
    for (key, _) in nodes(scenario.coordination) {
        put(
            "fault_menu_html",
            fault_menu_html(scenario, &snapshot, key, "left"),
        );
    }
    let mut monitor = Monitor::new();
    monitor.observe(sim);
    put("invariants_html", invariants_html(&monitor.report()));
    let bus = topics(sim.messages(), &snapshot.in_flight, &scenario.definition);
    let focus = told.last().map(|l| Focus {
        nodes: l.story.nodes.clone(),
        message: None,
        edge: None,
    });
    for saga in 0..snapshot.sagas.len() {
        put(
            "diagram_svg",
            diagram_svg(&DiagramState {
                snapshot: &snapshot,
                scenario,
                saga,
                selected: focus.as_ref().and_then(|f| f.nodes.first().copied()),
                focus: focus.as_ref(),
                topics: &bus,
            }),
        );
    }
    let moving = tokens(
        &snapshot.in_flight,
        &scenario.definition,
        scenario.coordination,
    );
    put(
        "tokens_svg",
        tokens_svg(&moving, sim.now_ms() as f64, None, false),
    );
    let selected = trace.last().map(|e| e.seq);
    put(
        "sequence_svg",
        sequence_svg(&SequenceInput {
            scenario,
            trace,
            messages: sim.messages(),
            selected,
        }),
    );
    let gantt = GanttInput {
        scenario,
        trace,
        messages: sim.messages(),
        now_ms: sim.now_ms(),
        selected,
    };
    put("gantt_svg", gantt_svg(&gantt));
    let laid = gantt::layout(&gantt);
    for span in &laid.spans {
        if let Some(row) = laid.rows.get(span.row) {
            // Text the SVG escapes where it writes it: the checker reads it as text.
            put(
                "span_description",
                format!("<p>{}</p>", encode(&span_description(span, row.key))),
            );
        }
    }
    let timeline = Timeline {
        events: trace,
        start: 0,
        at: (trace.len() / 2) as u64,
        selected,
    };
    put("timeline_svg", timeline_svg(&timeline));
    put(
        "timeline_label",
        format!("<p>{}</p>", encode(&timeline_label(&timeline, true))),
    );
    for i in 0..trace.len() {
        if let Some(q) = question(&trace[..i], &trace[i], scenario, sim.messages()) {
            put("question_html", question_html(&q, None, Score::default()));
            put(
                "question_html (answered)",
                question_html(&q, Some(0), Score { right: 1, asked: 2 }),
            );
        }
    }
    let f = figures(trace, sim.sagas().len(), sim.now_ms());
    put("compare_html", compare_html(&f, &f, [true, false]));
    out
}

/// The markup that does not depend on a run.
fn static_markup() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut put = |name: &str, html: String| out.push((name.to_string(), html));
    put("share_menu_html", share_menu_html());
    for h in HOSTILE {
        put("share_html", share_html(&format!("https://x/?{h}#{h}")));
        put("notice_html", notice_html(h));
        // A refused file's message quotes what the person wrote.
        let refused = Scenario::from_json(&format!(
            r#"{{"version":1,"sagas":[],{}:1}}"#,
            serde_json::Value::String(h.to_string())
        ));
        if let Err(e) = refused {
            put("notice_html (refused file)", notice_html(&e.to_string()));
        }
        put("glossary_html (unknown term)", glossary_html(Some(h)));
    }
    put("glossary_html", glossary_html(None));
    for e in ENTRIES {
        put("glossary_html (entry)", glossary_html(Some(e.id)));
    }
    for presenter in [false, true] {
        put("help_html", help_html(presenter));
        put(
            "score_html",
            score_html(Score { right: 2, asked: 3 }, presenter),
        );
    }
    for view in View::ALL {
        put("views_html", views_html(view, true, false));
    }
    put("timeline_legend", timeline_legend());
    put(
        "fork_notice",
        format!("<p>{}</p>", encode(&fork_notice(1_500, 12, 3))),
    );
    out
}

/// The test's own encoding of text as markup (for the few renderers that return plain text).
fn encode(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => "&#60;".to_string(),
            '>' => "&#62;".to_string(),
            '&' => "&#38;".to_string(),
            '"' => "&#34;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// The text of markup with its character references read back (to see hostile text arrive).
fn decoded(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Whether a string somewhere in a JSON value contains `text`.
fn holds_text(value: &serde_json::Value, text: &str) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains(text),
        serde_json::Value::Array(items) => items.iter().any(|v| holds_text(v, text)),
        serde_json::Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains(text) || holds_text(v, text)),
        _ => false,
    }
}

fn hostile_runs() -> Vec<(String, Simulation)> {
    let mut runs = Vec::new();
    for (n, p) in PRESETS.iter().enumerate() {
        for style in [Coordination::Orchestration, Coordination::Choreography] {
            if p.only.is_some_and(|only| only != style) {
                continue;
            }
            let h = HOSTILE[n % HOSTILE.len()];
            let Some(scenario) = hostile_scenario(p.id, style, h) else {
                continue;
            };
            let mut sim = Simulation::new(scenario).expect("valid");
            sim.drive(600_000);
            runs.push((format!("{} {}", p.id, style.as_str()), sim));
        }
    }
    runs
}

#[test]
fn hostile_text_never_becomes_markup_in_any_view() {
    let runs = hostile_runs();
    let mut seen = std::collections::BTreeSet::new();
    let (mut failed, mut compensated, mut dead, mut stuck) = (false, false, false, false);
    for (name, sim) in &runs {
        let snapshot = sim.snapshot();
        dead |= !snapshot.dead_letters.is_empty();
        stuck |= !snapshot.manual_intervention.is_empty();
        let told = lines(sim);
        failed |= told.iter().any(|l| l.story.text.contains("·refused"));
        compensated |= told.iter().any(|l| l.story.text.contains("·undone"))
            || sim
                .trace()
                .iter()
                .any(|e| format!("{:?}", e.kind).contains("Compensat"));
        for (renderer, html) in every_markup(sim) {
            if let Err(e) = check_markup(&html) {
                panic!("{name}: {renderer}: {e}");
            }
            seen.insert(renderer);
        }
        // The hostile text reached the views (so the check above checked something).
        let customer = &sim.scenario().sagas[0].customer;
        assert!(
            decoded(&toolbar_html(&snapshot, 0)).contains(customer.as_str()),
            "{name}: the customer is not shown"
        );
        let step = &sim.scenario().definition.steps[0].name;
        let menu: String = nodes(sim.scenario().coordination)
            .into_iter()
            .map(|(key, _)| fault_menu_html(sim.scenario(), &snapshot, key, "left"))
            .collect();
        assert!(
            decoded(&menu).contains(step.as_str()),
            "{name}: the first step's name is not in any fault menu"
        );
    }
    for (renderer, html) in static_markup() {
        if let Err(e) = check_markup(&html) {
            panic!("{renderer}: {e}");
        }
        seen.insert(renderer);
    }
    assert!(
        failed && compensated && dead && stuck,
        "the runs miss a kind of trouble"
    );
    for renderer in [
        "share_menu_html",
        "log_line_html",
        "narration_html",
        "toolbar_html",
        "outcome_html",
        "data_html",
        "databases_html",
        "fault_menu_html",
        "invariants_html",
        "diagram_svg",
        "tokens_svg",
        "sequence_svg",
        "gantt_svg",
        "timeline_svg",
        "question_html",
        "compare_html",
        "glossary_html",
        "help_html",
        "score_html",
        "views_html",
        "timeline_legend",
        "share_html",
        "notice_html",
        "notice_html (refused file)",
    ] {
        assert!(seen.contains(renderer), "{renderer} was never checked");
    }
}

#[test]
fn hostile_text_survives_every_export() {
    for (name, sim) in hostile_runs() {
        // Mermaid: the text cannot close a message, a note or the diagram.
        let diagram = mermaid::sequence_diagram(&sim);
        if let Err(e) = check_mermaid(&diagram) {
            panic!("{name}: mermaid: {e}");
        }
        // Step Functions: well-formed JSON that reads back as itself and keeps the step names.
        let text = asl::to_json(sim.scenario());
        let value: serde_json::Value = serde_json::from_str(&text).expect("ASL parses");
        let again: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&value).expect("writes")).expect("parses");
        assert_eq!(value, again, "{name}");
        let step = &sim.scenario().definition.steps[0].name;
        assert!(
            holds_text(&value, step),
            "{name}: the ASL lost the step name"
        );
        // Trace: reads back equal and replays.
        let trace = export::trace_json(&sim);
        let file = TraceFile::from_json(&trace).expect("trace parses");
        assert_eq!(file, TraceFile::of_run(&sim), "{name}");
        assert_eq!(file.reproduce(), Ok(()), "{name}");
        // Scenario: reads back as the same scenario, hostile text and all.
        let scenario = Scenario::from_json(&export::scenario_json(&sim)).expect("scenario parses");
        assert_eq!(&scenario, sim.scenario(), "{name}");
    }
}

#[test]
fn the_checkers_refuse_unescaped_text() {
    for h in HOSTILE {
        for bad in [
            format!(r#"<span title="{h}">ok</span>"#),
            format!("<span>{h}</span>"),
            format!("<svg><title>{h}</title></svg>"),
        ] {
            // Text with no markup character is harmless wherever it goes.
            if h.contains(['<', '>', '"', '&']) {
                assert!(check_markup(&bad).is_err(), "{bad} passed");
            }
        }
    }
    for bad in [
        "<script>alert(1)</script>",
        r#"<div title="a" onmouseover="x">b</div>"#,
        "<img src=x onerror=alert(1)>",
        r#"<span title=x>a</span>"#,
        r#"<span title="a"b">a</span>"#,
        "<p>a > b</p>",
        "<p>a & b</p>",
        "<p>a</span>",
        "<p>open",
        r#"<a href="javascript:alert(1)">x</a>"#,
    ] {
        assert!(check_markup(bad).is_err(), "{bad} passed");
    }
    assert_eq!(
        check_markup(r#"<p class="x" hidden>a &amp; b &#39;<input value="&lt;"></p>"#),
        Ok(())
    );
    for bad in [
        "sequenceDiagram\n    A->>B: x; y",
        "sequenceDiagram\n    A->>B: x\nNote over A: y",
        "sequenceDiagram\n    A->>B: <br>",
        "sequenceDiagram\n    %% {init: {}}%%",
        "sequenceDiagram\n    A->>B: #x",
    ] {
        assert!(check_mermaid(bad).is_err(), "{bad:?} passed");
    }
    assert_eq!(
        check_mermaid(
            "sequenceDiagram\n    participant A\n    A->>B: a #59; b\n    Note over A,B: c"
        ),
        Ok(())
    );
}
