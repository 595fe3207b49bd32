//! The scenario form of a link: any scenario as compact JSON (every top-level field at its
//! default left out) in base64url.

use crate::engine::scenario::Scenario;
use crate::share::base64url;

use super::LinkError;

/// The scenario as one line of JSON with every top-level field at its default value left out:
/// [`Scenario::from_json`] reads it back to an equal scenario.
///
/// It works on the text of [`Scenario::to_json`] (whose top-level fields each begin a line
/// indented by two spaces) rather than on a `serde_json::Value`, which would add several KiB to
/// the page's wasm.
pub fn compact_json(scenario: &Scenario) -> String {
    let text = scenario.to_json();
    let defaults = Scenario::new(Vec::new()).to_json();
    let default_fields = top_level_fields(&defaults);
    let kept: Vec<&str> = top_level_fields(&text)
        .into_iter()
        .filter(|field| {
            let key = field.split(':').next().unwrap_or_default();
            matches!(key, "\"version\"" | "\"sagas\"") || !default_fields.contains(field)
        })
        .collect();
    minify(&format!("{{{}}}", kept.join(",")))
}

/// The top-level `"key": value` entries of pretty JSON, without their separating commas.
fn top_level_fields(pretty: &str) -> Vec<&str> {
    let body = pretty
        .trim()
        .strip_prefix('{')
        .and_then(|b| b.strip_suffix('}'))
        .unwrap_or_default();
    let mut fields = Vec::new();
    let mut start: Option<usize> = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        if line.starts_with("  \"") {
            if let Some(s) = start {
                fields.push(body[s..offset].trim().trim_end_matches(','));
            }
            start = Some(offset);
        }
        offset += line.len();
    }
    if let Some(s) = start {
        fields.push(body[s..].trim().trim_end_matches(','));
    }
    fields
}

/// JSON without the whitespace between tokens.
fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

pub(super) fn scenario_from_payload(payload: &str) -> Result<Scenario, LinkError> {
    let bytes = base64url::decode(payload)?;
    let json = String::from_utf8(bytes).map_err(|_| LinkError::NotText)?;
    Ok(Scenario::from_json(&json)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::SagaSpec;

    #[test]
    fn compact_json_leaves_out_what_is_default() {
        let mut s = Scenario::new(vec![SagaSpec::new("Ada", "Fri")]);
        assert_eq!(
            compact_json(&s),
            r#"{"version":1,"sagas":[{"customer":"Ada","party_size":2,"slot":"Fri","amount_cents":4000,"start_ms":0}]}"#
        );
        s.seed = 7;
        s.name = "a \"quoted\" name:\n".to_string();
        let compact = compact_json(&s);
        assert!(
            compact.contains(r#""name":"a \"quoted\" name:\n""#),
            "{compact}"
        );
        assert!(compact.contains(r#""seed":7"#), "{compact}");
        assert_eq!(Scenario::from_json(&compact), Ok(s));
    }
}
