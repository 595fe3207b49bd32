//! Tests of `command`.

use super::*;
use crate::engine::definition::ServiceId;

/// Reads `attrs` markup (`a="1" b="2"`) the way the page reads an element.
fn read_markup(markup: &str) -> Option<Command> {
    let pairs: Vec<(String, String)> = markup
        .split("\" ")
        .map(|p| p.trim_end_matches('"'))
        .filter_map(|p| p.split_once("=\""))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Command::read(|name| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    })
}

/// One command of every kind (and every value of the small vocabularies).
fn every_command() -> Vec<Command> {
    let mut all = vec![
        Command::Play,
        Command::Pause,
        Command::PlayPause,
        Command::Step,
        Command::StepBack,
        Command::StepInstant,
        Command::StepBackInstant,
        Command::First,
        Command::Latest,
        Command::Reset,
        Command::Slower,
        Command::Faster,
        Command::NextView,
        Command::TogglePredict,
        Command::PredictAnswer(2),
        Command::PredictContinue,
        Command::Number(7),
        Command::OpenGlossary(None),
        Command::ToggleGlossary,
        Command::ToggleHelp,
        Command::CloseOverlay,
        Command::TogglePresenter,
        Command::ToggleDrawer,
        Command::ToggleLessons,
        Command::LessonOpen(3),
        Command::LessonNext,
        Command::LessonBack,
        Command::LessonGo(5),
        Command::LessonAnswer(1),
        Command::LessonClose,
        Command::ToggleTheme,
        Command::FullScreen,
        Command::DismissNotice,
        Command::Share,
        Command::CloseShare,
        Command::OtherStyle,
        Command::ToggleSideBySide,
        Command::SelectSaga(1),
        Command::Cancel(3),
        Command::Redrive,
        Command::ToggleChaos,
        Command::Inject(4),
        Command::RemoveFault(12),
        Command::CloseMenu,
        Command::SelectNode(NodeKey::Service(ServiceId::Payment)),
        Command::Services,
        Command::Live,
        Command::ShowAll,
        Command::SelectEvent(42),
    ];
    all.extend(View::ALL.map(Command::ShowView));
    all.extend(
        glossary::ENTRIES
            .iter()
            .map(|e| Command::OpenGlossary(Some(e.id))),
    );
    all.extend(ExportFormat::ALL.map(Command::Export));
    all.extend(StyleChoice::ALL.map(Command::Style));
    all.extend(TwinShown::ALL.map(Command::ShowTwin));
    all.extend([Storage::PerService, Storage::Shared].map(Command::Storage));
    all.extend(Safeguard::ALL.map(Command::ToggleSafeguard));
    all.extend(DataTab::ALL.map(Command::Tab));
    all.extend(Protocol::ALL.map(Command::CommitProtocol));
    all.extend(CommitPlan::ALL.map(Command::CommitPlan));
    all
}

#[test]
fn every_command_survives_the_markup() {
    let all = every_command();
    for command in &all {
        assert_eq!(read_markup(&command.attrs()), Some(*command), "{command:?}");
    }
    // Every name is distinct, so no two commands can be mistaken for each other.
    let mut names: Vec<&str> = all.iter().map(|c| c.name()).collect();
    names.sort_unstable();
    names.dedup();
    let kinds = {
        let mut seen: Vec<std::mem::Discriminant<Command>> = Vec::new();
        for c in &all {
            let d = std::mem::discriminant(c);
            if !seen.contains(&d) {
                seen.push(d);
            }
        }
        seen.len()
    };
    assert_eq!(names.len(), kinds, "one name per kind of command");
}

#[test]
fn a_name_or_argument_that_means_nothing_reads_as_nothing() {
    for markup in [
        r#"data-action="explode""#,
        r#"data-action="view" data-view="radar""#,
        r#"data-action="view""#,
        r#"data-action="cancel" data-saga="-1""#,
        r#"data-action="export" data-format="exe""#,
        r#"data-action="glossary" data-term="no-such-term""#,
        r#"data-action="tab" data-tab="cellar""#,
        r#"data-action="safeguard" data-value="seatbelt""#,
        r#"data-action="coordination" data-value="anarchy""#,
        r#"data-node="nowhere""#,
        r#"data-chip="x""#,
        "",
    ] {
        assert_eq!(read_markup(markup), None, "{markup}");
    }
}

#[test]
fn nodes_and_chips_read_without_an_action() {
    let node = NodeKey::Service(ServiceId::Calendar);
    assert_eq!(
        read_markup(&format!(r#"data-node="{}""#, node.test_id())),
        Some(Command::SelectNode(node))
    );
    assert_eq!(
        read_markup(r#"data-chip="5""#),
        Some(Command::RemoveFault(5))
    );
}

#[test]
fn the_small_vocabularies_read_back() {
    for f in ExportFormat::ALL {
        assert_eq!(ExportFormat::parse(f.as_str()), Some(f));
    }
    for t in DataTab::ALL {
        assert_eq!(DataTab::parse(t.as_str()), Some(t));
    }
    for c in Control::ALL {
        assert_eq!(Control::parse(c.as_str()), Some(c));
    }
}
