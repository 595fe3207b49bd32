//! The notice: a message for the person, with a button to hide it.

use super::markup::Html;
use crate::view::command::Command;

/// The notice: a message for the person, with a button to hide it.
pub fn notice_html(text: &str) -> String {
    let mut out = Html::trusted(
        r#"<div class="notice" role="status" data-testid="notice"><span class="notice__text">"#,
    );
    out.push_text(text)
        .push(r#"</span><button type="button" class="btn btn--icon" "#)
        .push_command(Command::DismissNotice)
        .push(r#" aria-label="Dismiss">✕</button></div>"#);
    out.into_string()
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_are_escaped() {
        assert!(notice_html("<b>").contains("&lt;b&gt;"));
    }
}
