/// Escaping for the HTML page of `glean render`: every string that comes from a document (text,
/// ids, labels, kb ids, names) goes through one of these before it reaches the page.
///
/// - ``html(_:)`` for text content and double-quoted attribute values: `&` `<` `>` `"` `'` become
///   character references, so no document can open or close a tag or an attribute;
/// - ``jsonString(_:)`` for JSON embedded in a `<script>` element: `<`, `>` and `&` become
///   `\u003c` `\u003e` `\u0026`, so neither `</script>` nor `<!--` can end or change the script.
///
/// A carriage return becomes `&#13;` in HTML, which the parser keeps (a raw CR LF would become
/// LF, and the page's text would no longer be the document's). U+0000 becomes U+FFFD in both (an HTML parser drops or replaces it anyway). JSON also
/// escapes U+2028, U+2029 and U+FEFF, which some parsers treat as line breaks or drop.
///
/// ```swift
/// HTMLEscaping.html("<b>\"x\"</b>")        // "&lt;b&gt;&quot;x&quot;&lt;/b&gt;"
/// HTMLEscaping.jsonString("</script>")     // "\"\\u003c/script\\u003e\""
/// ```
public enum HTMLEscaping {
    /// `s` as HTML text or a double-quoted attribute value.
    public static func html(_ s: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        appendHTML(s.unicodeScalars, to: &out)
        return out
    }

    /// Appends the escaped form of `scalars` to `out`.
    public static func appendHTML<S: Sequence>(_ scalars: S, to out: inout String) where S.Element == Unicode.Scalar {
        for c in scalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\r": out += "&#13;"
            case "\u{0}": out.unicodeScalars.append("\u{FFFD}")
            default: out.unicodeScalars.append(c)
            }
        }
    }

    /// `s` as a JSON string literal (quotes included) that is safe inside `<script>`.
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{0}": out += "\\ufffd"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            case "\u{FEFF}": out += "\\ufeff"
            default:
                if c.value < 0x20 {
                    out += "\\u00" + (c.value < 0x10 ? "0" : "") + String(c.value, radix: 16)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        out += "\""
        return out
    }
}
