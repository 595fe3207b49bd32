//! The query string a link may carry (`?preset=card-declined&coordination=choreography&seed=7`)
//! and the speed and seed fields: read leniently, so a mistyped value is reported and ignored
//! rather than refusing the whole link.

use crate::engine::commit::{CommitPlan, Protocol};
use crate::engine::presets;
use crate::engine::scenario::{Coordination, Storage};

/// The speeds the page offers, in percent of real time (25 = 0.25×).
pub const SPEEDS: [u32; 5] = [25, 50, 100, 200, 400];

/// The fastest speed a link may ask for (`?speed=100` is 100×), in percent, for demos and
/// end-to-end tests.
pub const MAX_SPEED: u32 = 10_000;

/// Settings asked for by a link: `?preset=card-declined&coordination=choreography&storage=shared&seed=7&speed=4`,
/// and the 2PC / 3PC view's `protocol=2pc&plan=crash-for-good`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkParams {
    /// A preset id.
    pub preset: Option<&'static str>,
    /// A style.
    pub coordination: Option<Coordination>,
    /// A storage mode.
    pub storage: Option<Storage>,
    /// A seed.
    pub seed: Option<u64>,
    /// A speed in percent (25 to [`MAX_SPEED`]).
    pub speed: Option<u32>,
    /// Start playing at once.
    pub autoplay: bool,
    /// Open the 2PC / 3PC view with this protocol (`protocol=2pc|3pc`).
    pub protocol: Option<Protocol>,
    /// Open the 2PC / 3PC view with this failure (`plan=none|crash|crash-for-good|partition`).
    pub plan: Option<CommitPlan>,
    /// Open this shipped guided lesson (`lesson=compensations`): an id of lowercase letters,
    /// digits and dashes.
    pub lesson: Option<String>,
    /// Values it could not read, in words, so the page can say so.
    pub problems: Vec<String>,
}

/// Reads a page's query string (with or without its `?`); a value it cannot read is left at its
/// default and named in `problems`; parameters it does not know are left alone.
pub fn parse_link(query: &str) -> LinkParams {
    let mut out = LinkParams::default();
    for pair in query.trim_start_matches('?').split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "preset" => out.preset = presets::find(value).map(|p| p.id),
            "coordination" => {
                out.coordination = match value {
                    "orchestration" => Some(Coordination::Orchestration),
                    "choreography" => Some(Coordination::Choreography),
                    _ => None,
                }
            }
            "storage" => {
                out.storage = match value {
                    "per_service" | "per-service" => Some(Storage::PerService),
                    "shared" => Some(Storage::Shared),
                    _ => None,
                }
            }
            "seed" => out.seed = parse_seed(value).ok(),
            "speed" => {
                out.speed = parse_percent(value).filter(|s| (SPEEDS[0]..=MAX_SPEED).contains(s))
            }
            "play" => out.autoplay = value != "0",
            "protocol" => out.protocol = Protocol::parse(value),
            "plan" => out.plan = CommitPlan::parse(value),
            "lesson" => {
                let id_like = !value.is_empty()
                    && value.len() <= 40
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                out.lesson = id_like.then(|| value.to_string());
            }
            _ => continue,
        }
        let read = match key {
            "preset" => out.preset.is_some(),
            "coordination" => out.coordination.is_some(),
            "storage" => out.storage.is_some(),
            "seed" => out.seed.is_some(),
            "speed" => out.speed.is_some(),
            "protocol" => out.protocol.is_some(),
            "plan" => out.plan.is_some(),
            "lesson" => out.lesson.is_some(),
            _ => true,
        };
        if !read {
            let shown: String = value.chars().take(40).collect();
            out.problems
                .push(format!("{key}={shown:?} is not understood"));
        }
    }
    out
}

/// Reads a multiple such as `4`, `0.5` or `0.25` as a percentage (400, 50, 25); at most two
/// decimals.
pub fn parse_percent(text: &str) -> Option<u32> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.len() > 2 {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) || whole.len() > 5 {
        return None;
    }
    let whole: u32 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: u32 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<u32>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    Some(whole * 100 + fraction)
}

/// Speed in percent as people read it: `0.25×`, `1×`, `20×`.
pub fn speed_label(percent: u32) -> String {
    let (whole, fraction) = (percent / 100, percent % 100);
    match fraction {
        0 => format!("{whole}×"),
        f if f % 10 == 0 => format!("{whole}.{}×", f / 10),
        f => format!("{whole}.{f:02}×"),
    }
}

/// Reads a seed typed by a person: a whole number, nothing else.
pub fn parse_seed(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("Type a whole number for the seed.".to_string());
    }
    t.parse::<u64>().map_err(|_| {
        format!(
            "“{}” is not a seed: use a whole number from 0 to {}.",
            t.chars().take(24).collect::<String>(),
            u64::MAX
        )
    })
}

/// The query string a shared link keeps from the page's own (with or without its `?`): not
/// `play` (the link opens its moment paused) nor the 2PC / 3PC view's parameters, which
/// `commit` sets afresh when that view is showing. Empty, or starting with `?`.
pub fn shared_query(query: &str, commit: Option<(Protocol, CommitPlan)>) -> String {
    let mut kept: Vec<String> = query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let key = pair.split_once('=').map_or(*pair, |(k, _)| k);
            !matches!(key, "play" | "protocol" | "plan")
        })
        .map(str::to_string)
        .collect();
    if let Some((protocol, plan)) = commit {
        kept.push(format!("protocol={}", protocol.as_str()));
        kept.push(format!("plan={}", plan.as_str()));
    }
    if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lesson_is_named_by_a_plain_id_and_anything_else_is_said() {
        assert_eq!(
            parse_link("?lesson=dead-letter-queue").lesson.as_deref(),
            Some("dead-letter-queue")
        );
        for bad in ["../index", "Compensations", "a%2Fb", "", &"x".repeat(41)] {
            let read = parse_link(&format!("?lesson={bad}"));
            assert_eq!(read.lesson, None, "{bad}");
            assert_eq!(read.problems.len(), 1, "{bad}");
        }
    }

    #[test]
    fn a_shared_link_opens_its_moment_paused_and_in_the_view_showing() {
        let q = "?preset=late-charge&speed=100&play=1&protocol=3pc&plan=partition";
        assert_eq!(shared_query(q, None), "?preset=late-charge&speed=100");
        assert!(!parse_link(&shared_query(q, None)).autoplay);
        let commit = Some((Protocol::TwoPhase, CommitPlan::CrashForGood));
        let shared = shared_query(q, commit);
        assert_eq!(
            shared,
            "?preset=late-charge&speed=100&protocol=2pc&plan=crash-for-good"
        );
        let read = parse_link(&shared);
        assert_eq!(
            (read.protocol, read.plan),
            (Some(Protocol::TwoPhase), Some(CommitPlan::CrashForGood))
        );
        assert_eq!(shared_query("", None), "");
        assert_eq!(shared_query("?play=1", None), "");
        assert_eq!(shared_query("play=0&seed=3", None), "?seed=3");
    }

    #[test]
    fn links_are_read_leniently() {
        let l = parse_link(
            "?preset=card-declined&coordination=choreography&storage=shared&seed=7&speed=20&play=1",
        );
        assert_eq!(l.preset, Some("card-declined"));
        assert_eq!(l.coordination, Some(Coordination::Choreography));
        assert_eq!(l.storage, Some(Storage::Shared));
        assert_eq!(l.seed, Some(7));
        assert_eq!(l.speed, Some(2_000));
        assert!(l.autoplay);
        let bad = parse_link("preset=nope&seed=-1&speed=1e9&coordination=x&junk");
        assert_eq!(
            LinkParams {
                problems: Vec::new(),
                ..bad.clone()
            },
            LinkParams::default()
        );
        assert_eq!(bad.problems.len(), 4, "{:?}", bad.problems);
        assert!(bad.problems[0].contains("preset=\"nope\""));
        assert!(l.problems.is_empty());
    }

    #[test]
    fn a_link_can_open_the_two_phase_commit_view() {
        let l = parse_link("?preset=happy-path&protocol=2pc&plan=crash-for-good");
        assert_eq!(l.protocol, Some(Protocol::TwoPhase));
        assert_eq!(l.plan, Some(CommitPlan::CrashForGood));
        for plan in CommitPlan::ALL {
            assert_eq!(
                parse_link(&format!("plan={}", plan.as_str())).plan,
                Some(plan)
            );
        }
        let bad = parse_link("protocol=4pc&plan=meteor");
        assert_eq!((bad.protocol, bad.plan), (None, None));
        assert_eq!(bad.problems.len(), 2, "{:?}", bad.problems);
    }

    #[test]
    fn speeds_are_read_and_written_in_percent() {
        assert_eq!(parse_percent("4"), Some(400));
        assert_eq!(parse_percent("0.5"), Some(50));
        assert_eq!(parse_percent("0.25"), Some(25));
        assert_eq!(parse_percent(".5"), Some(50));
        assert_eq!(parse_percent("1.234"), None);
        assert_eq!(parse_percent("x"), None);
        assert_eq!(parse_percent(""), None);
        assert_eq!(parse_percent("."), None);
        for (pct, text) in [
            (25, "0.25×"),
            (50, "0.5×"),
            (100, "1×"),
            (400, "4×"),
            (2_000, "20×"),
        ] {
            assert_eq!(speed_label(pct), text);
            assert_eq!(parse_percent(text.trim_end_matches('×')), Some(pct));
        }
    }

    #[test]
    fn seeds_are_whole_numbers() {
        assert_eq!(parse_seed(" 42 "), Ok(42));
        assert!(parse_seed("4.2").is_err());
        assert!(parse_seed("-1").is_err());
        assert!(parse_seed("").is_err());
        assert!(parse_seed("99999999999999999999999").is_err());
    }
}
