//! The Share menu of the bar (link, downloads, import) and the panel holding a shared link.

use super::markup::Html;
use crate::view::command::{Command, Control, ExportFormat};

/// The bar's Share menu: a link to this moment, the downloads, and the Import picker. It never
/// changes, so the page draws it once.
pub fn share_menu_html() -> String {
    let mut out = Html::with_capacity(2048);
    out.push(r#"<details class="menu bar__menu" data-testid="export"><summary class="btn btn--icon" title="Share, export, import" aria-label="Share, export, import"><svg class="menu__icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 15V3M7 8l5-5 5 5M5 13v7h14v-7"/></svg></summary><div class="menu__list" role="menu">"#)
        .push(r#"<button type="button" class="menu__item" role="menuitem" data-testid="share" "#)
        .push_command(Command::Share)
        .push(r#" title="Put a link to this moment of the run in the address bar and copy it">Copy a link to this moment</button><p class="menu__head">Download</p>"#);
    for format in ExportFormat::ALL {
        out.push(r#"<button type="button" class="menu__item" role="menuitem" "#)
            .push_command(Command::Export(format))
            .push(r#" data-testid="export-"#)
            .push(format.as_str())
            .push(r#"""#)
            .push_attr("title", format.title())
            .push(">")
            .push_text(format.label())
            .push("</button>");
    }
    out.push(r#"<p class="menu__head">Open</p><label class="menu__item" title="Open a scenario file (.json); you can also drop one on the page">Import a scenario…<input type="file" accept=".json,application/json" class="sr-only" data-testid="import" "#)
        .push_control(Control::Import)
        .push("></label></div></details>");
    out.into_string()
}

/// The shared link, in a read-only field to copy by hand when the clipboard is out of reach.
pub fn share_html(url: &str) -> String {
    let mut out = Html::trusted(
        r#"<div class="share" data-testid="share-panel"><label class="share__label">Link to this moment<input class="share__link" data-testid="share-link" readonly"#,
    );
    out.push_attr("value", url)
        .push(r#"></label><button type="button" class="btn btn--icon" "#)
        .push_command(Command::CloseShare)
        .push(r#" aria-label="Hide the link">✕</button></div>"#);
    out.into_string()
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
