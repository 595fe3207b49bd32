//! The predict panels as markup: the question with its numbered choices (marked once one is
//! picked) and the running score.

use crate::view::command::Command;
use crate::view::html::Html;

use super::{Question, Score};

/// The question panel: the prompt and numbered choices; once `picked`, each choice marked right
/// or wrong, the verdict and the explanation, and a button to go on. `score` is the running
/// score, shown as it is.
pub fn question_html(q: &Question, picked: Option<usize>, score: Score) -> String {
    let mut out = Html::with_capacity(2048);
    let verdict = picked.map(|p| if p == q.answer { "right" } else { "wrong" });
    out.push(r#"<section class="predict" data-testid="predict" role="dialog" aria-labelledby="predict-prompt" data-topic=""#)
        .push(q.topic.as_str())
        .push(r#"" data-seq=""#)
        .push_plain(q.seq)
        .push(r#"""#);
    if let Some(v) = verdict {
        out.push(r#" data-verdict=""#).push(v).push(r#"""#);
    }
    out.push(r#"><header class="predict__head"><span class="predict__badge">Predict</span><span class="predict__tally">"#)
        .push_text(&tally(score))
        .push(r#"</span></header><p class="predict__prompt" id="predict-prompt">"#)
        .push_text(&q.prompt)
        .push(r#"</p><ol class="predict__choices">"#);
    for (i, choice) in q.choices.iter().enumerate() {
        out.push(r#"<li><button type="button" class="predict__choice" "#)
            .push_command(Command::PredictAnswer(i))
            .push(r#" data-testid="predict-choice-"#)
            .push_plain(i)
            .push(r#"" aria-keyshortcuts=""#)
            .push_plain(i + 1)
            .push(r#"""#);
        let mark = picked.map(|p| match mark_choice(&mut out, i, q.answer, p) {
            (true, true) => "✓ right: your answer",
            (true, false) => "✓ right",
            (false, true) => "✗ wrong: your answer",
            (false, false) => "✗ wrong",
        });
        out.push(r#"><span class="predict__num">"#)
            .push_plain(i + 1)
            .push(r#".</span> <span class="predict__text">"#)
            .push_text(choice)
            .push("</span>");
        if let Some(text) = mark {
            out.push(r#" <span class="predict__mark">"#)
                .push(text)
                .push("</span>");
        }
        out.push("</button></li>");
    }
    out.push(
        r#"</ol><div class="predict__verdict" data-testid="predict-verdict" aria-live="polite">"#,
    );
    if let Some(p) = picked {
        if p == q.answer {
            out.push(r#"<p class="predict__result">✓ Right!</p>"#);
        } else {
            let answer = q.choices.get(q.answer).map(String::as_str).unwrap_or("");
            out.push(r#"<p class="predict__result">✗ Not quite. The answer: "#)
                .push_text(answer)
                .push(".</p>");
        }
        out.push(r#"<p class="predict__explanation">"#)
            .push_text(&q.explanation)
            .push("</p>");
        if let Some(idea) = q.idea {
            out.push(r#"<p class="predict__idea"><strong>"#)
                .push_text(idea.name())
                .push("</strong>: ")
                .push_text(idea.explain())
                .push("</p>");
        }
        out.push(r#"<button type="button" class="predict__continue" "#)
            .push_command(Command::PredictContinue)
            .push(r#" data-testid="predict-continue" aria-keyshortcuts="Space">Continue (Space)</button>"#);
    }
    out.push("</div></section>");
    out.into_string()
}

/// "2 of 3 right".
/// Once a question is answered, marks choice `i` of its buttons: disabled, right or wrong
/// (`data-mark`), and `data-picked` on the one picked. Returns (right, picked). Predict mode's
/// questions and a lesson's share it.
pub(crate) fn mark_choice(out: &mut Html, i: usize, answer: usize, picked: usize) -> (bool, bool) {
    let right = i == answer;
    out.push(r#" disabled data-mark=""#)
        .push(if right { "right" } else { "wrong" })
        .push(r#"""#);
    if picked == i {
        out.push(r#" data-picked="true""#);
    }
    (right, picked == i)
}

fn tally(score: Score) -> String {
    format!("{} of {} right", score.right, score.asked)
}

/// The score panel; once the run is `finished`, a line that says so.
pub fn score_html(score: Score, finished: bool) -> String {
    let mut out = Html::trusted(
        r#"<div class="predict-score" data-testid="predict-score" aria-live="polite">"#,
    );
    if score.asked == 0 {
        out.push(r#"<p class="predict-score__line">No predictions yet.</p>"#);
    } else {
        out.push(r#"<p class="predict-score__line">Your score: "#)
            .push_plain(score.right)
            .push(" of ")
            .push_plain(score.asked)
            .push("</p>");
    }
    if finished {
        out.push(r#"<p class="predict-score__end">The run has ended.</p>"#);
    }
    out.push("</div>");
    out.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::Coordination;
    use crate::view::format::escape;
    use crate::view::predict::testing::*;
    use crate::view::predict::Topic;

    fn sample() -> Question {
        let sim = run("card-declined", Coordination::Orchestration);
        let mut q = walk(&sim)
            .into_iter()
            .map(|(_, q)| q)
            .find(|q| q.topic == Topic::Compensate)
            .expect("question");
        q.prompt.push_str(" <b>&\"</b>");
        q
    }

    #[test]
    fn the_panel_asks_with_numbered_buttons() {
        let q = sample();
        let html = question_html(&q, None, Score { right: 1, asked: 2 });
        assert!(html.starts_with(r#"<section class="predict" data-testid="predict" role="dialog""#));
        assert!(!html.contains("data-verdict"));
        assert!(!html.contains("predict-continue"));
        assert!(html.contains("&lt;b&gt;&amp;&quot;&lt;/b&gt;"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("1 of 2 right"));
        assert!(html.contains(r#"aria-live="polite""#));
        for (i, c) in q.choices.iter().enumerate() {
            let button = format!(
                r#"data-action="predict-answer" data-choice="{i}" data-testid="predict-choice-{i}" aria-keyshortcuts="{}">"#,
                i + 1
            );
            assert!(html.contains(&button), "{html}");
            assert!(html.contains(&format!(
                r#"<span class="predict__num">{}.</span> <span class="predict__text">{}</span>"#,
                i + 1,
                escape(c)
            )));
        }
    }

    #[test]
    fn a_pick_marks_every_choice_and_explains() {
        let q = sample();
        let wrong = (q.answer + 1) % q.choices.len();
        let html = question_html(&q, Some(wrong), Score { right: 0, asked: 1 });
        assert!(html.contains(r#"data-verdict="wrong""#));
        assert!(html.contains("✗ Not quite. The answer: "));
        assert!(html.contains(&escape(&q.explanation)));
        assert!(html.contains(
            r#"data-action="predict-continue" data-testid="predict-continue" aria-keyshortcuts="Space">Continue (Space)"#
        ));
        assert_eq!(html.matches(r#"data-mark="right""#).count(), 1);
        assert_eq!(
            html.matches(r#"data-mark="wrong""#).count(),
            q.choices.len() - 1
        );
        assert_eq!(html.matches("✗ wrong: your answer").count(), 1);
        assert_eq!(html.matches("data-picked").count(), 1);
        assert_eq!(html.matches(" disabled").count(), q.choices.len());

        let html = question_html(&q, Some(q.answer), Score { right: 1, asked: 1 });
        assert!(html.contains(r#"data-verdict="right""#));
        assert!(html.contains("✓ Right!"));
        assert!(html.contains("✓ right: your answer"));
        assert!(html.contains("Compensation</strong>"));
    }

    #[test]
    fn the_score_panel_counts_and_says_when_the_run_ended() {
        let html = score_html(Score { right: 4, asked: 5 }, false);
        assert!(html.contains(r#"data-testid="predict-score""#));
        assert!(html.contains("Your score: 4 of 5"));
        assert!(!html.contains("ended"));
        let html = score_html(Score { right: 4, asked: 5 }, true);
        assert!(html.contains("The run has ended."));
        assert!(score_html(Score::default(), false).contains("No predictions yet"));
    }
}
