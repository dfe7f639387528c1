import Foundation
import GleanCore
import GleanSegment
@testable import GleanGazetteer

/// The real tokenizer, one per test (a Segmenter is not thread-safe).
func makeTokenizer() throws -> NameTokenizer {
    let segmenter = try Segmenter()
    return { try segmenter.segment(&$0, sentences: false) }
}

func entries(_ tsv: String) throws -> [GazetteerEntry] {
    try GazetteerSources.parseTSV(Array(tsv.utf8), file: "table")
}

/// "matched text/label/kb ids/alias", the form the tables are written in.
func render(_ spans: [Span], in doc: Document) -> [String] {
    spans.sorted { ($0.start, $0.end, $0.label) < ($1.start, $1.end, $1.label) }.map { s in
        let ids = s.kbIds.isEmpty ? s.kbId : s.kbIds.joined(separator: ",")
        return "\(doc.string(s.start, s.end))/\(s.label)/\(ids)/\(s.name)"
    }
}

/// The obviously correct matcher the real one is compared with: every run of non-space tokens
/// (up to the longest name) looked up by its folded token strings in a Swift dictionary built
/// from the names; folding with ICU on strings, no hashing of our own, no trie.
struct NaiveMatcher {
    let entries: [GazetteerEntry]
    let folding: TextFolding
    let byTokens: [[String]: [Int]]
    let maxLength: Int

    init(_ entries: [GazetteerEntry], folding: TextFolding, tokenize: NameTokenizer) throws {
        self.entries = entries
        self.folding = folding
        var byTokens: [[String]: [Int]] = [:]
        var maxLength = 0
        for (k, e) in entries.enumerated() {
            let tokens: [String]
            if let given = e.tokens {
                tokens = given.map { folding.fold($0) }
            } else {
                var doc = Document(e.name)
                try tokenize(&doc)
                tokens = doc.tokens.filter { $0.kind != .space }.map { folding.fold(doc.string($0.start, $0.end)) }
            }
            guard !tokens.isEmpty else { continue }
            byTokens[tokens, default: []].append(k)
            maxLength = max(maxLength, tokens.count)
        }
        self.byTokens = byTokens
        self.maxLength = maxLength
    }

    func matches(_ doc: Document) -> [Span] {
        let toks = doc.tokens.enumerated().filter { $0.element.kind != .space }
        let folded = toks.map { folding.fold(doc.string($0.element.start, $0.element.end)) }
        let capital = toks.map { UnicodeFolding.hasCapital(doc.string($0.element.start, $0.element.end)) }
        var spans: [Span] = []
        for i in toks.indices {
            for length in 1...max(1, maxLength) where i + length <= toks.count {
                guard let found = byTokens[Array(folded[i..<i + length])] else { continue }
                let lowercaseOccurrence = !capital[i..<i + length].contains(true)
                var groups: [(String, [GazetteerEntry])] = []
                for e in found.map({ entries[$0] }) {
                    if folding.caseMode == .smart && UnicodeFolding.hasCapital(e.name) && lowercaseOccurrence { continue }
                    // Two or three ASCII capitals alone match names without a lowercase letter.
                    let surface = doc.string(toks[i].element.start, toks[i].element.end)
                    if folding.caseMode == .smart && length == 1 && (2...3).contains(surface.utf8.count)
                        && surface.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) && e.name.utf8.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) { continue }
                    if let g = groups.firstIndex(where: { $0.0 == e.label }) { groups[g].1.append(e) } else { groups.append((e.label, [e])) }
                }
                for (label, members) in groups {
                    var ids: [String] = []
                    for m in members where !m.kbId.isEmpty && !ids.contains(m.kbId) { ids.append(m.kbId) }
                    var s = Span(matchStart: toks[i].element.start, matchEnd: toks[i + length - 1].element.end, label: label,
                                 kbId: ids.first ?? "", kbIds: ids.count > 1 ? ids : [], source: .gazetteer, name: members[0].name)
                    s.firstToken = toks[i].offset
                    s.endToken = toks[i + length - 1].offset + 1
                    spans.append(s)
                }
            }
        }
        return spans
    }
}

/// The repository's root, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
