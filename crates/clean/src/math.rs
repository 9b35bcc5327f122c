//! A MathML formula as one line of text: `a/b`, `(1+x)/2`, `x^2`, `y_i`, `√x`, `[1, 2; 3, 4]`.
//!
//! A browser draws a fraction's parts one above the other, an exponent raised, a matrix in
//! rows; read as plain text they were glued (`ab` for a/b, `x2` for x², `1234` for a 2×2
//! matrix), which neither reads nor searches as the formula. This module owns only that
//! linear reading, for the text layout and the sanitized HTML alike (where MathML is not
//! kept as markup); what is a formula's hidden annotation is [`is_hidden_foreign_text`]'s.

use ego_tree::NodeRef;
use scraper::Node;

use crate::sanitize::is_hidden_foreign_text;

/// Nodes of one formula read before the rest is taken as plain text: a hostile formula of
/// millions of nodes costs at most a linear pass.
const MAX_NODES: usize = 20_000;

/// The linear text of the MathML element `math` (usually a `<math>`), whitespace collapsed.
pub(crate) fn linear(math: NodeRef<'_, Node>) -> String {
    let mut budget = MAX_NODES;
    let text = read(math, &mut budget);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The linear text of `node`. Recursive: the HTML guard caps nesting at 256 levels before
/// the parser sees the document, so the depth here is bounded.
fn read(node: NodeRef<'_, Node>, budget: &mut usize) -> String {
    if *budget == 0 {
        return String::new();
    }
    *budget -= 1;
    let element = match node.value() {
        Node::Text(t) => return t.trim().to_string(),
        Node::Element(e) => e,
        _ => return String::new(),
    };
    if is_hidden_foreign_text(element) {
        return String::new();
    }
    let parts: Vec<String> = node
        .children()
        .filter(|c| matches!(c.value(), Node::Element(_)))
        .map(|c| read(c, budget))
        .collect();
    let part = |i: usize| parts.get(i).map_or("", String::as_str);
    match element.name() {
        "mfrac" => format!("{}/{}", group(part(0)), group(part(1))),
        "msup" => format!("{}^{}", group(part(0)), group(part(1))),
        "msub" => format!("{}_{}", group(part(0)), group(part(1))),
        "msubsup" => format!("{}_{}^{}", group(part(0)), group(part(1)), group(part(2))),
        "msqrt" => format!("√{}", group(&parts.concat())),
        "mroot" => format!("{}√{}", group(part(1)), group(part(0))),
        // A row of a matrix is its cells, the matrix its rows.
        "mtr" | "mlabeledtr" => parts.join(", "),
        "mtable" => format!("[{}]", parts.join("; ")),
        "mspace" => " ".to_string(),
        // A token's own text (`mi`, `mn`, `mo`, `mtext`, `ms`), or a row's parts in order.
        _ if parts.is_empty() => node
            .children()
            .filter_map(|c| match c.value() {
                Node::Text(t) => Some(t.trim().to_string()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => parts.concat(),
    }
}

/// `text` as one operand: in parentheses when it is more than one symbol (`1+x` in a
/// fraction's numerator reads `(1+x)/2`, not `1+x/2`).
fn group(text: &str) -> String {
    let atomic = text.chars().all(char::is_alphanumeric)
        || (text.starts_with(['(', '[']) && text.ends_with([')', ']']))
        || text.chars().count() <= 1;
    if atomic {
        text.to_string()
    } else {
        format!("({text})")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn math(inner: &str) -> String {
        let html = scraper::Html::parse_fragment(&format!("<math>{inner}</math>"));
        let node = html
            .tree
            .root()
            .descendants()
            .find(|n| matches!(n.value(), Node::Element(e) if e.name() == "math"))
            .unwrap();
        linear(node)
    }

    #[test]
    fn formulas_read_as_one_line() {
        assert_eq!(math("<mfrac><mi>a</mi><mi>b</mi></mfrac>"), "a/b");
        assert_eq!(
            math("<msup><mi>x</mi><mn>2</mn></msup><mo>+</mo><msub><mi>y</mi><mi>i</mi></msub>"),
            "x^2+y_i"
        );
        assert_eq!(
            math("<mfrac><mrow><mn>1</mn><mo>+</mo><mi>x</mi></mrow><mn>2</mn></mfrac>"),
            "(1+x)/2"
        );
        assert_eq!(
            math(
                "<mtable><mtr><mtd><mn>1</mn></mtd><mtd><mn>2</mn></mtd></mtr>\
                 <mtr><mtd><mn>3</mn></mtd><mtd><mn>4</mn></mtd></mtr></mtable>"
            ),
            "[1, 2; 3, 4]"
        );
        assert_eq!(math("<msqrt><mi>x</mi></msqrt>"), "√x");
        assert_eq!(math("<mroot><mi>x</mi><mn>3</mn></mroot>"), "3√x");
        assert_eq!(
            math("<msubsup><mo>∫</mo><mn>0</mn><mn>1</mn></msubsup><mi>f</mi>"),
            "∫_0^1f"
        );
        // Words stay words; annotations are no text.
        assert_eq!(
            math(
                "<semantics><mrow><mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn></msup></mrow>\
                 <annotation encoding=\"application/x-tex\">E=mc^2</annotation></semantics>"
            ),
            "E=mc^2"
        );
        assert_eq!(math("<mtext>speed of light</mtext>"), "speed of light");
    }

    #[test]
    fn a_huge_formula_costs_a_bounded_pass() {
        let inner = "<mrow><mi>x</mi></mrow>".repeat(50_000);
        let text = math(&inner);
        assert!(text.len() < 2 * MAX_NODES, "{}", text.len());
    }
}
