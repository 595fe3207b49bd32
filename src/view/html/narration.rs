//! The narration: which event it tells, and that event (or the preset's opening) as markup.

use std::fmt::Write;

use crate::engine::scenario::Scenario;

use super::log::Line;
use crate::view::command::Command;
use crate::view::format::{escape, saga_letter, seconds};
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
    let mut out = String::with_capacity(1024);
    let _ = write!(
        out,
        r#"<section class="narration" data-testid="narration"><header class="panel__head"><h2 class="panel__title">{}</h2>"#,
        if selected {
            "Selected event"
        } else {
            "What's happening"
        }
    );
    if let Some(line) = line {
        let saga = line
            .saga
            .map(|s| format!(" · saga {}", saga_letter(s)))
            .unwrap_or_default();
        let _ = write!(
            out,
            r#"<span class="panel__meta">#{} · {}{saga}</span>"#,
            line.seq,
            seconds(line.at_ms)
        );
    }
    if selected {
        let _ = write!(
            out,
            r#"<button type="button" class="btn btn--small" {} data-testid="narration-live">Back to live</button>"#,
            Command::Live.attrs()
        );
    }
    out.push_str("</header>");
    let opening_story;
    let story = match line {
        Some(line) => &line.story,
        None => {
            opening_story = opening(scenario);
            &opening_story
        }
    };
    let _ = write!(
        out,
        r#"<p class="narration__what narration__what--{}"><span class="narration__icon" aria-hidden="true">{}</span>{}</p><p class="narration__why">{}</p>"#,
        story.tone.as_str(),
        story.icon,
        escape(&story.text),
        escape(&story.why),
    );
    if let Some(idea) = story.idea {
        let _ = write!(
            out,
            r#"<p class="narration__idea" data-idea="{0}"><strong>{0}</strong> — {1} <button type="button" class="btn btn--small narration__more" {2} aria-haspopup="dialog">{0} — read more</button></p>"#,
            escape(idea.name()),
            escape(idea.explain()),
            Command::OpenGlossary(glossary::find(glossary::idea_id(idea)).map(|e| e.id)).attrs(),
        );
    }
    out.push_str("</section>");
    out
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
