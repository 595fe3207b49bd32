//! The notice: a message for the person, with a button to hide it.

use crate::view::command::Command;
use crate::view::format::escape;

/// The notice: a message for the person, with a button to hide it.
pub fn notice_html(text: &str) -> String {
    format!(
        r#"<div class="notice" role="status" data-testid="notice"><span class="notice__text">{}</span><button type="button" class="btn btn--icon" {} aria-label="Dismiss">✕</button></div>"#,
        escape(text),
        Command::DismissNotice.attrs(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_are_escaped() {
        assert!(notice_html("<b>").contains("&lt;b&gt;"));
    }
}
