// Invariants shared by the fuzz targets. A broken invariant is a crash (fatalError), which
// libFuzzer reports with the input that caused it.
import GleanCore

func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("invariant broken: \(message())") }
}

/// Tokens sorted, non-overlapping, inside the text, and with the whitespace between them
/// (nothing else) rebuilding the text; spans inside the text and on token boundaries.
func checkDocument(_ doc: Document) {
    let text = doc.text
    var previousEnd = 0
    for (k, t) in doc.tokens.enumerated() {
        require(t.start >= previousEnd && t.start < t.end && t.end <= text.count, "token \(k) [\(t.start),\(t.end)) after \(previousEnd)")
        checkWhitespace(text, previousEnd, t.start)
        previousEnd = t.end
    }
    checkWhitespace(text, previousEnd, text.count)
    for s in doc.allCandidates + doc.entities {
        require(s.firstToken >= 0 && s.firstToken < s.endToken && s.endToken <= doc.tokens.count, "span tokens \(s.firstToken)..<\(s.endToken)")
        require(s.start == doc.tokens[s.firstToken].start && s.end == doc.tokens[s.endToken - 1].end, "span [\(s.start),\(s.end)) off its tokens")
    }
    for (a, b) in zip(doc.entities, doc.entities.dropFirst()) {
        require(a.endToken <= b.firstToken, "entities overlap")
    }
}

/// The bytes between two tokens are whitespace only.
func checkWhitespace(_ text: [UInt8], _ from: Int, _ to: Int) {
    guard from < to else { return }
    let gap = String(decoding: text[from..<to], as: UTF8.self)
    for scalar in gap.unicodeScalars {
        require(Whitespace.contains(scalar.value), "non-whitespace U+\(String(scalar.value, radix: 16)) between tokens at \(from)")
    }
}
