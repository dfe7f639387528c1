import GleanCore

/// Where the entity stages cut a large document, so that their working sets (candidate spans,
/// the gazetteer's per-token keys, the pattern plan's candidates) are bounded by a window, not by
/// the document: a 100 MB document holds about 20 million tokens, and a stage's scratch of 20
/// bytes a token plus an 88-byte span per candidate would cost several times the text.
///
/// A document of more than 1.5 × `target` bytes is cut into windows of about `target` bytes,
/// each a range of token indices, covering every token once, in order. A cut goes, in this order
/// of preference, within the first quarter-target after each `target` bytes:
/// 1. after a whitespace token holding a line feed (a paragraph or line break);
/// 2. at the start of a sentence (when the document has its sentences);
/// 3. after any whitespace token;
/// 4. failing all three (a text without spaces or sentences), at the first token past `target`.
///
/// The pattern and gazetteer stages are local: a candidate lies inside a few tokens of context,
/// so a cut at a paragraph or sentence break changes nothing; an entity never crosses a cut. The
/// names stage also takes evidence from elsewhere in its document (a surname given after a
/// title, a word that stands alone): in a window, that evidence is the window's, as if the
/// window were a document of its own. In-document propagation, which links mentions across the
/// whole document, runs once over the whole document's entities, after the windows.
///
/// ```swift
/// let cuts = EntityWindows.cuts(text: doc.text, tokens: doc.tokens, sentences: doc.sentences, target: 1 << 20)
/// // [0..<180_233, 180_233..<361_100, ...]; a document of up to 1.5 MiB: [0..<doc.tokens.count]
/// ```
public enum EntityWindows {
    /// The default window: 1 MiB of text.
    public static let defaultTarget = 1 << 20

    /// Whether a text of `bytes` bytes is cut at all.
    public static func isCut(bytes: Int, target: Int) -> Bool {
        target > 0 && bytes > target + target / 2
    }

    /// The token index ranges of the windows, in order; one range when the text is not cut.
    public static func cuts(text: [UInt8], tokens: [Token], sentences: [Sentence], target: Int) -> [Range<Int>] {
        let n = tokens.count
        guard n > 1, isCut(bytes: text.count, target: target) else { return [0..<n] }
        var windows: [Range<Int>] = []
        var lo = 0
        var nextSentence = 0
        var i = 1
        while true {
            let startByte = lo == 0 ? 0 : tokens[lo].start
            if text.count - startByte <= target + target / 2 { break }
            let want = startByte + target
            let limit = want + target / 4
            // The first token at or past `want`, then the best cut before `limit`.
            i = max(i, lo + 1)
            while i < n && tokens[i].start < want { i += 1 }
            guard i < n else { break }
            var afterSpace: Int?
            var afterLineBreak: Int?
            var j = i
            while j < n && tokens[j].start < limit {
                if tokens[j - 1].kind == .space {
                    if afterSpace == nil { afterSpace = j }
                    if text[tokens[j - 1].start..<tokens[j - 1].end].contains(0x0A) {
                        afterLineBreak = j
                        break
                    }
                }
                j += 1
            }
            var sentenceStart: Int?
            while nextSentence < sentences.count && sentences[nextSentence].firstToken < i { nextSentence += 1 }
            if nextSentence < sentences.count, sentences[nextSentence].start < limit {
                sentenceStart = sentences[nextSentence].firstToken
            }
            let cut = afterLineBreak ?? sentenceStart ?? afterSpace ?? i
            guard cut > lo, cut < n else { break }
            windows.append(lo..<cut)
            lo = cut
        }
        windows.append(lo..<n)
        return windows
    }

    /// The window `range` of `document` as a document of its own: its text from the window's
    /// first token (from 0 for the first window) to the next window's first token, its tokens
    /// and sentences moved to that text, no candidates. `base` is the byte offset it starts at.
    static func part(of document: Document, tokens range: Range<Int>, isFirst: Bool, isLast: Bool) -> (part: Document, base: Int) {
        let base = isFirst ? 0 : document.tokens[range.lowerBound].start
        let end = isLast ? document.text.count : document.tokens[range.upperBound].start
        var part = Document(text: Array(document.text[base..<end]), lang: document.lang)
        part.tokens.reserveCapacity(range.count)
        for t in document.tokens[range] {
            part.tokens.append(Token(start: t.start - base, end: t.end - base, kind: t.kind))
        }
        return (part, base)
    }

    /// `span` of a window that starts at byte `bytes` and token `tokens`, in the whole document.
    static func shifted(_ span: Span, bytes: Int, tokens: Int) -> Span {
        var s = span
        s.start += bytes
        s.end += bytes
        s.matchStart += bytes
        s.matchEnd += bytes
        s.firstToken += tokens
        s.endToken += tokens
        return s
    }
}
