//! The browser side of [`crate::share`]: the Share button and links opened from the address bar,
//! downloads, scenario files picked or dropped, and what the page remembers between visits.
//!
//! Every failure a person can cause (a damaged link, a bad file, a full or disabled storage)
//! ends as a notice; the run on screen changes only when the new one has been built.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::js_sys;

use crate::share::export::{resolve_vars, MAX_TRACE_BYTES};
use crate::share::import::{read_run_file, Opened};
use crate::share::link::{self, LinkState};
use crate::share::query::shared_query;
use crate::share::{asl, commit_export, export, mermaid};
use crate::view::command::ExportFormat;
use crate::view::format::{capitalise, seconds};
use crate::view::teach::View;

use super::state::Run;
use crate::player::{Player, CUSTOM};

/// The text after the address's `#`, if there is any.
pub fn link_in_address() -> Option<String> {
    let hash = window().location().hash().ok()?;
    let text = hash.strip_prefix('#').unwrap_or(&hash);
    (!text.is_empty()).then(|| text.to_string())
}

/// Builds the run a link describes, paused at its moment; `Err` says what is wrong with it.
pub fn open_link(text: &str) -> Result<Player, String> {
    // Not capitalised: a message may begin with a parameter's name (`s: …`).
    let state = link::decode(text).map_err(|e| e.to_string())?;
    let mut player = Player::from_scenario(state.scenario, state.preset.map(|p| p.id))
        .map_err(|e| e.to_string())?;
    player.reach(state.moment);
    Ok(player)
}

/// Opens a link in the page that is already running: the run it describes replaces the current
/// one; a link that cannot be opened says why and leaves the current run as it was.
pub fn open_link_in_place(run: Run, text: &str) {
    match open_link(text) {
        Ok(player) => {
            let notice = opened_notice("a shared link", &player);
            run.replace(move |_| Ok(player));
            run.layout.notice.set(Some(notice));
        }
        Err(problem) => run.layout.notice.set(Some(format!(
            "This link cannot be opened: {problem}. The run stays as it was."
        ))),
    }
}

/// The notice shown when a run has been opened from a link, a file or the last visit.
pub fn opened_notice(what: &str, player: &Player) -> String {
    let settings = player.settings();
    let name = if settings.preset == CUSTOM {
        player.sim().scenario().name.clone()
    } else {
        crate::engine::presets::find(settings.preset)
            .map(|p| p.title.to_string())
            .unwrap_or_default()
    };
    format!(
        "Opened {what}: “{name}”, {}, seed {}, paused at t = {}.",
        settings.coordination.as_str(),
        settings.seed,
        seconds(player.now_ms())
    )
}

/// The link text for the run as it is now (its scenario, commands given so far, and now).
fn current_link(run: Run) -> Result<String, String> {
    run.peek(|p| link::encode(&LinkState::of_run(p.sim(), p.playhead())))
        .ok_or_else(|| "The run cannot be read right now.".to_string())?
        .map_err(|e| capitalise(&e.to_string()))
}

/// Puts a link to this moment in the address bar, shows it, and copies it when the clipboard
/// lets the page.
pub fn share(run: Run, shown: RwSignal<Option<String>>) {
    let text = match current_link(run) {
        Ok(text) => text,
        Err(message) => {
            run.layout
                .notice
                .set(Some(format!("This run cannot be shared: {message}")));
            return;
        }
    };
    run.pause();
    // The page's own query, less what would stop the link opening its moment (`play`), with
    // the 2PC / 3PC view's switches when that view is showing.
    let commit = (run.layout.view.get_untracked() == View::Commit)
        .then(|| run.layout.commit.get_untracked());
    let query = shared_query(&window().location().search().unwrap_or_default(), commit);
    let fragment = format!("{query}#{text}");
    let url = match window().history() {
        Ok(history) => {
            // If the address cannot change, the link below is still complete.
            let path = window().location().pathname().unwrap_or_default();
            let _ignored = history.replace_state_with_url(
                &JsValue::NULL,
                "",
                Some(&format!("{path}{fragment}")),
            );
            window().location().href().unwrap_or(fragment)
        }
        Err(_) => fragment,
    };
    shown.set(Some(url.clone()));
    run.layout.notice.set(Some(
        "Copy this link: it opens this run at this moment.".to_string(),
    ));
    let navigator = window().navigator();
    let has_clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|c| !c.is_undefined() && !c.is_null());
    if !has_clipboard {
        return;
    }
    let copied = Closure::once(move |_: JsValue| {
        run.layout.notice.set(Some(
            "Link copied: it opens this run at this moment.".to_string(),
        ));
    });
    let refused = Closure::once(|_: JsValue| {});
    let _chained = navigator
        .clipboard()
        .write_text(&url)
        .then2(&copied, &refused);
    // The promise calls one of them later; they are small and made once per click.
    copied.forget();
    refused.forget();
}

/// The name a download of this run gets, before its extension.
fn file_stem(player: &Player) -> String {
    let settings = player.settings();
    format!(
        "sagascope-{}-{}-seed{}",
        settings.preset,
        settings.coordination.as_str(),
        settings.seed
    )
}

/// Downloads the run in one of the Share menu's formats.
pub fn export(run: Run, format: ExportFormat) {
    let (protocol, plan) = run.layout.commit.get_untracked();
    let made =
        run.peek(|p| {
            let stem = file_stem(p);
            let commit_stem = format!("{stem}-{}-{}", protocol.as_str(), plan.as_str());
            match format {
            ExportFormat::Trace => Ok((
                export::trace_json(p.sim()),
                format!("{stem}.trace.json"),
                "application/json",
            )),
            ExportFormat::Scenario => Ok((
                export::scenario_json(p.sim()),
                format!("{stem}.scenario.json"),
                "application/json",
            )),
            ExportFormat::Mermaid => Ok((
                mermaid::sequence_diagram(p.sim()),
                format!("{stem}.mmd"),
                "text/plain",
            )),
            ExportFormat::Asl => Ok((
                asl::to_json(&p.sim().replay_scenario()),
                format!("{stem}.asl.json"),
                "application/json",
            )),
            ExportFormat::CommitTrace => {
                commit_export::commit_trace_json(&p.sim().replay_scenario(), protocol, plan)
                    .map(|text| (text, format!("{commit_stem}.commit.json"), "application/json"))
                    .map_err(|e| cannot_commit(&e))
            }
            ExportFormat::CommitMermaid => {
                commit_export::commit_mermaid(&p.sim().replay_scenario(), protocol, plan)
                    .map(|text| (text, format!("{commit_stem}.commit.mmd"), "text/plain"))
                    .map_err(|e| cannot_commit(&e))
            }
            ExportFormat::Svg => diagram_svg()
                .map(|svg| (svg, format!("{stem}.svg"), "image/svg+xml"))
                .ok_or_else(|| {
                    "The diagram is not on screen to download: show the Diagram view and try again."
                        .to_string()
                }),
        }
        });
    let (text, name, mime) = match made {
        Some(Ok(file)) => file,
        Some(Err(why)) => {
            run.layout.notice.set(Some(why));
            return;
        }
        None => return,
    };
    if let Err(e) = download(&text, &name, mime) {
        run.layout.notice.set(Some(format!(
            "The download of {name} failed: {}",
            describe(&e)
        )));
    }
}

/// Why a commit export cannot be made (too many customers to book as transactions).
fn cannot_commit(error: &crate::engine::commit::CommitError) -> String {
    format!("This run cannot be booked as transactions: {error}")
}

fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the browser refused".to_string())
}

/// Hands `text` to the browser as a file download.
fn download(text: &str, name: &str, mime: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let anchor: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.set_class_name("sr-only");
    let body = document().body().ok_or("the page has no body")?;
    body.append_child(&anchor)?;
    anchor.click();
    anchor.remove();
    // The click has handed the blob to the download; revoking frees it.
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}

/// The diagram as drawn now, as a standalone SVG file: the page's rules that touch it, with
/// every `var(--…)` replaced by the colour it has now.
fn diagram_svg() -> Option<String> {
    let svg = document().query_selector(".diagram__svg").ok()??;
    let computed = window().get_computed_style(&svg).ok()??;
    let mut css = String::new();
    let sheets = document().style_sheets();
    for i in 0..sheets.length() {
        let Some(sheet) = sheets
            .item(i)
            .and_then(|s| s.dyn_into::<web_sys::CssStyleSheet>().ok())
        else {
            continue;
        };
        let Ok(rules) = sheet.css_rules() else {
            continue;
        };
        for j in 0..rules.length() {
            let Some(rule) = rules
                .item(j)
                .and_then(|r| r.dyn_into::<web_sys::CssStyleRule>().ok())
            else {
                continue;
            };
            let selector = rule.selector_text();
            let touches = svg.matches(&selector).unwrap_or(false)
                || svg.query_selector(&selector).ok().flatten().is_some();
            if touches {
                let value_of = |name: &str| computed.get_property_value(name).unwrap_or_default();
                css.push_str(&resolve_vars(&rule.css_text(), &value_of));
                css.push('\n');
            }
        }
    }
    let font = computed
        .get_property_value("font-family")
        .unwrap_or_default();
    let background = computed.get_property_value("--surface").unwrap_or_default();
    let markup = svg
        .outer_html()
        .replacen("<svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"", 1);
    // The HTML serialiser writes entities XML does not know.
    let markup = markup.replace("&nbsp;", "&#160;");
    let style = format!(
        "<style>svg{{font-family:{};background:{}}}\n{}</style>",
        font.trim(),
        background.trim(),
        css.replace("]]>", "]] >")
    );
    let close = markup.find('>')?;
    Some(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}>{}{}",
        &markup[..close],
        style,
        &markup[close + 1..]
    ))
}

/// Opens a scenario or trace file the person picked or dropped; a bad file leaves the run as
/// it was.
pub fn import_file(run: Run, file: Option<web_sys::File>) {
    let Some(file) = file else {
        return;
    };
    let name = file.name();
    let size = file.size();
    if size > MAX_TRACE_BYTES as f64 {
        run.layout.notice.set(Some(format!(
            "{name} was not opened: it is {size} bytes; a trace file has at most {MAX_TRACE_BYTES}. The run stays as it was."
        )));
        return;
    }
    let read_name = name.clone();
    let read = Closure::once(move |text: JsValue| {
        let Some(text) = text.as_string() else {
            run.layout.notice.set(Some(format!(
                "{read_name} was not opened: it is not text. The run stays as it was."
            )));
            return;
        };
        // A guided lesson's file opens as a lesson; anything else as a scenario or a trace.
        if text.contains("\"sagascope_lesson\"") {
            super::lessons::open_text(run, &read_name, &text);
        } else {
            open_scenario_text(run, &read_name, &text);
        }
    });
    let failed = Closure::once(move |e: JsValue| {
        run.layout.notice.set(Some(format!(
            "{name} could not be read: {}. The run stays as it was.",
            describe(&e)
        )));
    });
    let _chained = file.text().then2(&read, &failed);
    // The promise calls one of them later; they are small and made once per file.
    read.forget();
    failed.forget();
}

/// Builds a run from a scenario or trace file's text; on success it replaces the run, paused
/// at 0 s (a trace's run plays again to the events it recorded).
pub fn open_scenario_text(run: Run, name: &str, text: &str) {
    let built = read_run_file(text)
        .map_err(|e| e.to_string())
        .and_then(|opened| {
            let what = match &opened {
                Opened::Scenario(_) => name.to_string(),
                Opened::Trace { events, .. } => {
                    format!("the run recorded in {name} ({events} events, reproduced)")
                }
            };
            let scenario = opened.scenario();
            let preset = link::detect_preset(&scenario).map(|p| p.id);
            Player::from_scenario(scenario, preset)
                .map(|player| (what, player))
                .map_err(|e| e.to_string())
        });
    match built {
        Ok((what, player)) => {
            let notice = opened_notice(&what, &player);
            run.replace(move |_| Ok(player));
            run.layout.notice.set(Some(notice));
        }
        Err(problem) => run.layout.notice.set(Some(format!(
            "{name} was not opened: {problem}. The run stays as it was."
        ))),
    }
}
