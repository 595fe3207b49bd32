//! The narration: which event it tells, and that event (or the preset's opening) as markup.

use crate::engine::scenario::Scenario;

use super::log::Line;
use super::markup::Html;
use crate::view::command::Command;
use crate::view::format::{saga_letter, seconds};
use crate::view::glossary;
use crate::view::story::opening;

/// The line the narration tells: the selected one, else the latest that is not bookkeeping.
pub fn narrated(lines: &[Line], selected: Option<u64>) -> Option<&Line> {
    match selected {
        Some(seq) => lines.iter().find(|l| l.seq == seq),
        None => lines.iter().rev().find(|l| !l.story.minor),
    }
}

/// The narration of an event (or the preset's opening when nothing has happened yet).
pub fn narration_html(line: Option<&Line>, selected: bool, scenario: &Scenario) -> String {
    let mut out = Html::with_capacity(1024);
    out.push(r#"<section class="narration" data-testid="narration"><header class="panel__head"><h2 class="panel__title">"#)
        .push(if selected {
            "Selected event"
        } else {
            "What's happening"
        })
        .push("</h2>");
    if let Some(line) = line {
        out.push(r#"<span class="panel__meta">#"#)
            .push_plain(line.seq)
            .push(" · ")
            .push_text(&seconds(line.at_ms));
        if let Some(s) = line.saga {
            out.push(" · saga ").push_text(&saga_letter(s).to_string());
        }
        out.push("</span>");
    }
    if selected {
        out.push(r#"<button type="button" class="btn btn--small" "#)
            .push_command(Command::Live)
            .push(r#" data-testid="narration-live">Back to live</button>"#);
    }
    out.push("</header>");
    let opening_story;
    let story = match line {
        Some(line) => &line.story,
        None => {
            opening_story = opening(scenario);
            &opening_story
        }
    };
    out.push(r#"<p class="narration__what narration__what--"#)
        .push(story.tone.as_str())
        .push(r#""><span class="narration__icon" aria-hidden="true">"#)
        .push_text(story.icon)
        .push("</span>")
        .push_text(&story.text)
        .push(r#"</p><p class="narration__why">"#)
        .push_text(&story.why)
        .push("</p>");
    if let Some(idea) = story.idea {
        let name = Html::text(idea.name());
        out.push(r#"<p class="narration__idea""#)
            .push_attr("data-idea", idea.name())
            .push("><strong>")
            .push_html(&name)
            .push("</strong> — ")
            .push_text(idea.explain())
            .push(r#" <button type="button" class="btn btn--small narration__more" "#)
            .push_command(Command::OpenGlossary(
                glossary::find(glossary::idea_id(idea)).map(|e| e.id),
            ))
            .push(r#" aria-haspopup="dialog">"#)
            .push_html(&name)
            .push(" — read more</button></p>");
    }
    out.push("</section>");
    out.into_string()
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::presets;
    use crate::engine::scenario::{Coordination, Storage};
    use crate::view::html::{lines, run};

    #[test]
    fn the_narration_skips_bookkeeping_unless_selected() {
        let sim = run("happy-path", Coordination::Choreography);
        let all = lines(&sim);
        let latest = narrated(&all, None).unwrap();
        assert!(!latest.story.minor);
        let minor = all.iter().find(|l| l.story.minor).unwrap();
        assert_eq!(narrated(&all, Some(minor.seq)), Some(minor));
        let html = narration_html(Some(minor), true, sim.scenario());
        assert!(html.contains("Selected event"));
        assert!(html.contains(r#"data-action="live""#));
    }

    #[test]
    fn the_opening_narrates_the_preset_before_anything_happens() {
        let scenario = presets::scenario(
            "slot-taken",
            Coordination::Orchestration,
            Storage::PerService,
            1,
        )
        .unwrap();
        let html = narration_html(None, false, &scenario);
        assert!(html.contains("Slot taken"));
        assert!(html.contains(r#"data-testid="narration""#));
        assert!(html.contains(r#"data-action="glossary" data-term="orchestration" aria-haspopup="dialog">Orchestration — read more</button>"#));
    }
}
