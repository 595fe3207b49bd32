//! [`Html`]: markup that grows only by static markup, escaped text, numbers and the attributes
//! of a command, so a panel cannot write a person's text into the page un-escaped by accident.

use std::fmt::{self, Write};

use crate::view::command::{Command, Control};
use crate::view::format::{escape, Num};

mod sealed {
    pub trait Sealed {}
}

/// A value whose printed form is safe in markup as it is (numbers, booleans, a coordinate
/// ([`Num`]) and a character; a `char` is only ever a saga's letter or a digit here, and
/// anything else goes through [`Html::push_text`]).
pub trait Plain: fmt::Display + sealed::Sealed {}

macro_rules! plain {
    ($($t:ty),*) => {
        $(
            impl sealed::Sealed for $t {}
            impl Plain for $t {}
        )*
    };
}

plain!(u8, u16, u32, u64, usize, i32, i64, bool, char, Num);

/// A piece of HTML: static markup, escaped text, numbers and command attributes, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Html(String);

impl Html {
    /// Empty markup with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Html(String::with_capacity(capacity))
    }

    /// Text, escaped.
    pub fn text(text: &str) -> Self {
        Html(escape(text))
    }

    /// Static markup written in the source.
    pub fn trusted(markup: &'static str) -> Self {
        Html(markup.to_string())
    }

    /// Appends static markup.
    pub fn push(&mut self, markup: &'static str) -> &mut Self {
        self.0.push_str(markup);
        self
    }

    /// Appends text, escaped.
    pub fn push_text(&mut self, text: &str) -> &mut Self {
        self.0.push_str(&escape(text));
        self
    }

    /// Appends an attribute, ` name="value"`, its value escaped.
    pub fn push_attr(&mut self, name: &'static str, value: &str) -> &mut Self {
        let _ = write!(self.0, r#" {name}="{}""#, escape(value));
        self
    }

    /// Appends a number or a boolean as it prints.
    pub fn push_plain(&mut self, value: impl Plain) -> &mut Self {
        let _ = write!(self.0, "{value}");
        self
    }

    /// Appends other markup.
    pub fn push_html(&mut self, markup: &Html) -> &mut Self {
        self.0.push_str(&markup.0);
        self
    }

    /// Appends the attributes that name a command ([`Command::attrs`]).
    pub fn push_command(&mut self, command: Command) -> &mut Self {
        self.0.push_str(&command.attrs());
        self
    }

    /// Appends the attribute that names a form control ([`Control::attr`]).
    pub fn push_control(&mut self, control: Control) -> &mut Self {
        self.0.push_str(&control.attr());
        self
    }

    /// An SVG line, `<line class="…" x1="…" y1="…" x2="…" y2="…"/>`, from `a` to `b`.
    pub fn push_line(&mut self, class: &'static str, a: (f64, f64), b: (f64, f64)) -> &mut Self {
        self.push(r#"<line class=""#)
            .push(class)
            .push(r#"" x1=""#)
            .push_plain(Num(a.0))
            .push(r#"" y1=""#)
            .push_plain(Num(a.1))
            .push(r#"" x2=""#)
            .push_plain(Num(b.0))
            .push(r#"" y2=""#)
            .push_plain(Num(b.1))
            .push(r#""/>"#)
    }

    /// An SVG rectangle at `at`, `size` wide and high, with `extra` static attributes
    /// (`r#" rx="3""#`) after its geometry.
    pub fn push_rect(
        &mut self,
        class: &'static str,
        at: (f64, f64),
        size: (f64, f64),
        extra: &'static str,
    ) -> &mut Self {
        self.push(r#"<rect class=""#)
            .push(class)
            .push(r#"" x=""#)
            .push_plain(Num(at.0))
            .push(r#"" y=""#)
            .push_plain(Num(at.1))
            .push(r#"" width=""#)
            .push_plain(Num(size.0))
            .push(r#"" height=""#)
            .push_plain(Num(size.1))
            .push(r#"""#)
            .push(extra)
            .push("/>")
    }

    /// An SVG text at `at`, anchored at its `anchor` (start when `None`), its words escaped.
    pub fn push_svg_text(
        &mut self,
        class: &'static str,
        at: (f64, f64),
        anchor: Option<&'static str>,
        words: &str,
    ) -> &mut Self {
        self.push(r#"<text class=""#)
            .push(class)
            .push(r#"" x=""#)
            .push_plain(Num(at.0))
            .push(r#"" y=""#)
            .push_plain(Num(at.1))
            .push(r#"""#);
        if let Some(anchor) = anchor {
            self.push(r#" text-anchor=""#).push(anchor).push(r#"""#);
        }
        self.push(">").push_text(words).push("</text>")
    }

    /// The markup, to hand to the page.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The markup so far.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_static_markup_is_not() {
        let mut html = Html::trusted("<p");
        html.push_attr("title", r#"a "b" <c>"#)
            .push(">")
            .push_text("x & 'y'")
            .push_plain(42u64)
            .push_plain(true)
            .push_html(&Html::text("<i>"))
            .push("</p>");
        assert_eq!(
            html.into_string(),
            r#"<p title="a &quot;b&quot; &lt;c&gt;">x &amp; &#39;y&#39;42true&lt;i&gt;</p>"#
        );
    }

    #[test]
    fn svg_shapes_write_their_geometry_and_escape_their_words() {
        let mut html = Html::with_capacity(256);
        html.push_line("l", (1.0, 2.04), (3.0, -4.0))
            .push_rect("r", (0.0, 1.5), (10.0, 20.0), r#" rx="3""#)
            .push_svg_text("t", (5.0, 6.0), Some("middle"), "a<b")
            .push_svg_text("u", (0.0, 0.0), None, "c");
        assert_eq!(
            html.as_str(),
            concat!(
                r#"<line class="l" x1="1.0" y1="2.0" x2="3.0" y2="-4.0"/>"#,
                r#"<rect class="r" x="0.0" y="1.5" width="10.0" height="20.0" rx="3"/>"#,
                r#"<text class="t" x="5.0" y="6.0" text-anchor="middle">a&lt;b</text>"#,
                r#"<text class="u" x="0.0" y="0.0">c</text>"#
            )
        );
    }

    #[test]
    fn commands_write_their_attributes() {
        let mut html = Html::with_capacity(16);
        html.push_command(Command::Play);
        assert_eq!(html.as_str(), Command::Play.attrs());
    }
}
