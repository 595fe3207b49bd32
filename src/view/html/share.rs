//! The Share menu of the bar (link, downloads, import) and the panel holding a shared link.

use std::fmt::Write;

use crate::view::command::{Command, Control, ExportFormat};
use crate::view::format::escape;

/// The bar's Share menu: a link to this moment, the downloads, and the Import picker.
pub(super) fn share_menu() -> String {
    let mut out = String::with_capacity(2048);
    let _ = write!(
        out,
        concat!(
            r#"<details class="menu bar__menu" data-testid="export"><summary class="btn btn--icon" title="Share, export, import" aria-label="Share, export, import"><svg class="menu__icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 15V3M7 8l5-5 5 5M5 13v7h14v-7"/></svg></summary><div class="menu__list" role="menu">"#,
            r#"<button type="button" class="menu__item" role="menuitem" data-testid="share" {SHARE} title="Put a link to this moment of the run in the address bar and copy it">Copy a link to this moment</button><p class="menu__head">Download</p>"#,
        ),
        SHARE = Command::Share.attrs(),
    );
    for format in ExportFormat::ALL {
        let _ = write!(
            out,
            r#"<button type="button" class="menu__item" role="menuitem" {} data-testid="export-{}" title="{}">{}</button>"#,
            Command::Export(format).attrs(),
            format.as_str(),
            format.title(),
            format.label(),
        );
    }
    let _ = write!(
        out,
        r#"<p class="menu__head">Open</p><label class="menu__item" title="Open a scenario file (.json); you can also drop one on the page">Import a scenario…<input type="file" accept=".json,application/json" class="sr-only" data-testid="import" {}></label></div></details>"#,
        Control::Import.attr()
    );
    out
}

/// The shared link, in a read-only field to copy by hand when the clipboard is out of reach.
pub fn share_html(url: &str) -> String {
    format!(
        r#"<div class="share" data-testid="share-panel"><label class="share__label">Link to this moment<input class="share__link" data-testid="share-link" readonly value="{}"></label><button type="button" class="btn btn--icon" {} aria-label="Hide the link">✕</button></div>"#,
        escape(url),
        Command::CloseShare.attrs(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_link_is_escaped_in_its_field() {
        let html = share_html(r##"http://x/?a=1&b="2"#v=1"##);
        assert!(html.contains(r##"value="http://x/?a=1&amp;b=&quot;2&quot;#v=1""##));
        assert!(html.contains(r#"data-testid="share-link" readonly"#));
    }
}
