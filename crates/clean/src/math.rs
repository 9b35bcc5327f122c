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
use crate::walk::{Event, Step};

/// Nodes of one formula read before the rest is taken as plain text: a hostile formula of
/// millions of nodes costs at most a linear pass.
const MAX_NODES: usize = 20_000;

/// The linear text of the MathML element `math` (usually a `<math>`), whitespace collapsed.
pub(crate) fn linear(math: NodeRef<'_, Node>) -> String {
    let mut budget = MAX_NODES;
    let mut text = read(math, &mut budget);
    // Past the budget the formula's structure is not read: its words are, in order, as any
    // text (a 150×80 matrix lost its last rows to empty separators).
    if budget == 0 {
        let mut words: Vec<&str> = Vec::new();
        crate::walk::walk(math, |event| {
            if let Event::Enter(n) = event {
                match n.value() {
                    Node::Element(e) if is_hidden_foreign_text(e) => return Step::Skip,
                    Node::Text(t) if !t.trim().is_empty() => words.push(t.trim()),
                    _ => {}
                }
            }
            Step::Descend
        });
        text = words.join(" ");
    }
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
    let children: Vec<NodeRef<'_, Node>> = node
        .children()
        .filter(|c| matches!(c.value(), Node::Element(_)))
        .collect();
    let mut parts: Vec<String> = Vec::with_capacity(children.len());
    for (i, child) in children.iter().enumerate() {
        let text = read(*child, budget);
        // A matrix between fences of its own (`<mo>[</mo><mtable>…</mtable><mo>]</mo>`, what
        // LaTeX's bmatrix makes) is not bracketed a second time.
        let fenced = i > 0
            && is_fence(children[i - 1], true)
            && children.get(i + 1).is_some_and(|c| is_fence(*c, false));
        match text
            .strip_prefix(MATRIX_OPEN)
            .and_then(|t| t.strip_suffix(MATRIX_CLOSE))
        {
            Some(inner) if fenced => parts.push(inner.to_string()),
            Some(inner) => parts.push(format!("[{inner}]")),
            None => parts.push(text),
        }
    }
    let part = |i: usize| parts.get(i).map_or("", String::as_str);
    // A script on a function's name (`log_2`) is followed by its argument as a word is.
    let spaced = |s: String| {
        let base = part(0).trim();
        if base.chars().count() > 1 && base.chars().all(char::is_alphabetic) {
            format!("{s} ")
        } else {
            s
        }
    };
    match element.name() {
        "mfrac" => format!("{}/{}", group(part(0)), group(part(1))),
        "msup" | "mover" => spaced(format!("{}^{}", group(part(0)), group(part(1)))),
        "msub" | "munder" => spaced(format!("{}_{}", group(part(0)), group(part(1)))),
        "msubsup" | "munderover" => spaced(format!(
            "{}_{}^{}",
            group(part(0)),
            group(part(1)),
            group(part(2))
        )),
        // `<mfenced>` (deprecated, still written): its fences and separators are attributes.
        "mfenced" => {
            let open = element.attr("open").unwrap_or("(");
            let close = element.attr("close").unwrap_or(")");
            let separator = element
                .attr("separators")
                .and_then(|s| s.trim().chars().next())
                .unwrap_or(',');
            format!("{open}{}{close}", parts.join(&format!("{separator} ")))
        }
        "msqrt" => format!("√{}", group(&parts.concat())),
        "mroot" => format!("{}√{}", group(part(1)), group(part(0))),
        // A row of a matrix is its cells, the matrix its rows.
        "mtr" | "mlabeledtr" => parts.join(", "),
        // Marked, so a matrix between fences of its own is bracketed once (see above).
        "mtable" => format!("{MATRIX_OPEN}{}{MATRIX_CLOSE}", parts.join("; ")),
        "mspace" => " ".to_string(),
        // A token's own text (`mi`, `mn`, `mo`, `mtext`, `ms`), or a row's parts in order. Text
        // and a function name (`sin`) are words: spaced from what stands next to them ("if
        // and only if x", "sin x"), as they are drawn.
        _ if parts.is_empty() => {
            let text = token_texts(node).collect::<Vec<_>>().join(" ");
            let word = matches!(element.name(), "mtext" | "ms")
                || (element.name() == "mi" && text.chars().count() > 1);
            if word { format!(" {text} ") } else { text }
        }
        // One part (a row around one thing, `semantics`, `mstyle`) is moved, not copied:
        // formulas nested to the depth cap copied their text at every level.
        _ if parts.len() == 1 => parts.pop().unwrap_or_default(),
        _ => parts.concat(),
    }
}

/// Markers around a matrix's text until its parent has seen whether fences of its own stand
/// around it; private-use characters, which MathML text does not hold.
const MATRIX_OPEN: char = '\u{e000}';
const MATRIX_CLOSE: char = '\u{e001}';

/// The text children of a token element (`mi`, `mo`, ...), each trimmed.
fn token_texts<'a>(node: NodeRef<'a, Node>) -> impl Iterator<Item = &'a str> {
    node.children().filter_map(|c| match c.value() {
        Node::Text(t) => Some(t.trim()),
        _ => None,
    })
}

/// Whether `node` is an `<mo>` holding an opening (or closing) fence.
fn is_fence(node: NodeRef<'_, Node>, opening: bool) -> bool {
    let Node::Element(e) = node.value() else {
        return false;
    };
    if e.name() != "mo" {
        return false;
    }
    let text: String = token_texts(node).collect();
    let fences: &[&str] = if opening {
        &["(", "[", "{", "|", "‖", "⟨"]
    } else {
        &[")", "]", "}", "|", "‖", "⟩"]
    };
    fences.contains(&text.as_str())
}

/// `text` as one operand: in parentheses when it is more than one symbol (`1+x` in a
/// fraction's numerator reads `(1+x)/2`, not `1+x/2`).
fn group(text: &str) -> String {
    let text = text.trim();
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
        // Sums and limits with bounds, fenced lists, words beside symbols, and a matrix in
        // fences of its own.
        assert_eq!(
            math(
                "<munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi></munderover><mi>i</mi>"
            ),
            "∑_(i=1)^ni"
        );
        assert_eq!(
            math("<munder><mo>lim</mo><mrow><mi>x</mi><mo>→</mo><mn>0</mn></mrow></munder>"),
            "lim_(x→0)"
        );
        assert_eq!(math("<mover><mi>x</mi><mo>¯</mo></mover>"), "x^¯");
        assert_eq!(math("<mfenced><mi>a</mi><mi>b</mi></mfenced>"), "(a, b)");
        assert_eq!(
            math("<mfenced open=\"[\" close=\"]\" separators=\";\"><mi>a</mi><mi>b</mi></mfenced>"),
            "[a; b]"
        );
        assert_eq!(
            math("<mtext>if and only if</mtext><mi>x</mi>"),
            "if and only if x"
        );
        assert_eq!(
            math("<mi>sin</mi><mi>x</mi><mo>+</mo><msub><mi>log</mi><mn>2</mn></msub><mi>y</mi>"),
            "sin x+log_2 y"
        );
        assert_eq!(
            math(
                "<mo>[</mo><mtable><mtr><mtd><mn>1</mn></mtd><mtd><mn>2</mn></mtd></mtr>\
                 <mtr><mtd><mn>3</mn></mtd><mtd><mn>4</mn></mtd></mtr></mtable><mo>]</mo>"
            ),
            "[1, 2; 3, 4]"
        );
    }

    #[test]
    fn a_huge_formula_costs_a_bounded_pass() {
        let inner = "<mrow><mi>x</mi></mrow>".repeat(50_000);
        let text = math(&inner);
        // Past the budget, the words all the same, without the structure.
        assert_eq!(text.split(' ').count(), 50_000);
        assert!(text.split(' ').all(|w| w == "x"));
    }
}
