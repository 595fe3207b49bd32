//! Panels redrawn in place (`ui::patch::morph`), in headless Chromium: the result is the markup
//! asked for, and an element that is still there stays the same element, with its focus.
//! Run with `cargo test --target wasm32-unknown-unknown` (scripts/test does).
#![cfg(target_arch = "wasm32")]

use sagascope::ui::patch::morph;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A container in the page, removed when dropped.
struct Host(Element);

impl Drop for Host {
    fn drop(&mut self) {
        self.0.remove();
    }
}

fn host(tag: &str, markup: &str) -> Host {
    let document = leptos::prelude::document();
    let el = document.create_element(tag).expect("create the container");
    el.set_inner_html(markup);
    document
        .body()
        .expect("the page has a body")
        .append_child(&el)
        .expect("add the container");
    Host(el)
}

/// What the browser makes of `markup` on its own, to compare a morphed container with.
fn parsed(markup: &str) -> String {
    let el = leptos::prelude::document()
        .create_element("div")
        .expect("create a scratch element");
    el.set_inner_html(markup);
    el.inner_html()
}

fn find(host: &Host, selector: &str) -> Element {
    host.0
        .query_selector(selector)
        .expect("a valid selector")
        .unwrap_or_else(|| panic!("{selector} is on the page"))
}

fn line(seq: u64, text: &str) -> String {
    format!(
        r#"<li class="log__line" data-action="select-event" data-seq="{seq}" tabindex="0">{text}</li>"#
    )
}

#[wasm_bindgen_test]
fn the_result_is_the_markup_asked_for() {
    let steps = [
        r#"<p class="a">one <b>two</b></p><ul><li>x</li></ul>"#.to_string(),
        r#"<p class="b" title="t">one</p><ul><li>x</li><li>y</li></ul><em>new</em>"#.to_string(),
        format!("<ul>{}{}</ul>", line(1, "a"), line(2, "b")),
        format!("<ul>{}{}{}</ul>", line(0, "z"), line(2, "b"), line(3, "c")),
        String::new(),
        r#"<svg viewBox="0 0 10 10"><g data-node="step-1" tabindex="0"><rect width="3"></rect></g></svg>"#.to_string(),
    ];
    let h = host("div", &steps[0]);
    for markup in &steps[1..] {
        morph(&h.0, markup);
        assert_eq!(
            h.0.inner_html(),
            parsed(markup),
            "after morphing to {markup}"
        );
    }
}

#[wasm_bindgen_test]
fn a_focused_line_stays_focused_as_lines_come_and_go() {
    let h = host(
        "div",
        &format!("<ul>{}{}{}</ul>", line(1, "a"), line(2, "b"), line(3, "c")),
    );
    let focused: HtmlElement = find(&h, r#"[data-seq="2"]"#).unchecked_into();
    focused.focus().expect("focus the line");
    // The line before it goes, one comes after it, and its text changes.
    morph(
        &h.0,
        &format!("<ul>{}{}{}</ul>", line(2, "b!"), line(3, "c"), line(4, "d")),
    );
    let now = find(&h, r#"[data-seq="2"]"#);
    assert!(
        now == *focused.unchecked_ref::<Element>(),
        "the line is the same element"
    );
    assert_eq!(now.text_content().as_deref(), Some("b!"));
    let active = leptos::prelude::document().active_element();
    assert!(active.as_ref() == Some(&now), "and it still has the focus");
    // A line that is gone takes its focus with it; nothing else is focused in its place.
    morph(&h.0, &format!("<ul>{}</ul>", line(3, "c")));
    assert!(h
        .0
        .query_selector(r#"[data-seq="2"]"#)
        .ok()
        .flatten()
        .is_none());
}

#[wasm_bindgen_test]
fn a_control_is_not_reused_for_another_command() {
    let h = host("div", &format!("<ul>{}</ul>", line(1, "a")));
    let first = find(&h, r#"[data-seq="1"]"#);
    morph(&h.0, &format!("<ul>{}</ul>", line(5, "e")));
    let now = find(&h, r#"[data-seq="5"]"#);
    assert!(
        now != first,
        "a line for another event is a new element, not the old one relabelled"
    );
}

#[wasm_bindgen_test]
fn svg_inside_a_group_stays_svg() {
    let document = leptos::prelude::document();
    let svg = document
        .create_element_ns(Some("http://www.w3.org/2000/svg"), "svg")
        .expect("create an svg");
    let g = document
        .create_element_ns(Some("http://www.w3.org/2000/svg"), "g")
        .expect("create a group");
    svg.append_child(&g).expect("add the group");
    let h = Host(svg);
    document
        .body()
        .expect("the page has a body")
        .append_child(&h.0)
        .expect("add the svg");
    morph(
        &g,
        r#"<rect width="4" height="2"></rect><text x="1">hi</text>"#,
    );
    let rect = g.first_element_child().expect("a rect was drawn");
    assert_eq!(
        rect.namespace_uri().as_deref(),
        Some("http://www.w3.org/2000/svg")
    );
    morph(
        &g,
        r#"<rect width="5" height="2"></rect><text x="1">hi</text>"#,
    );
    let same = g.first_element_child().expect("the rect is still there");
    assert!(same == rect, "the rect is changed, not replaced");
    assert_eq!(same.get_attribute("width").as_deref(), Some("5"));
}
