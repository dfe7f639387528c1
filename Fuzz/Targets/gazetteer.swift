// The gazetteer compiler and matcher: the input's first line holds names (separated by '|'),
// the rest is the text. The compile succeeds or names a reason; matches lie on token
// boundaries; the walk and the automaton find the same spans; a load of the compiled image
// passes the structural checks.
@testable import GleanGazetteer
import GleanCore
import GleanSegment

let segmenter = try! Segmenter()
let tokenize: NameTokenizer = { try segmenter.segment(&$0, sentences: false) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGazetteer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let repaired = UTF8Validation.repaired(input) ?? Array(input)
    let split = repaired.firstIndex(of: 0x0A) ?? repaired.count
    let names = String(decoding: repaired[..<split], as: UTF8.self).split(separator: "|").prefix(64)
    let text = Array(repaired[min(split + 1, repaired.count)...])
    let entries = names.enumerated().map { GazetteerEntry(name: String($1), label: $0 % 2 == 0 ? "A" : "B", kbId: "\($0 % 3)") }
    for mode in [CaseMode.exact, .smart] {
        guard let (image, _) = try? GazetteerCompiler.compile(entries, options: GazetteerCompileOptions(folding: TextFolding(caseMode: mode)),
                                                              tokenize: tokenize) else { continue }
        guard let g = try? Gazetteer(image: image) else { fatalError("a compiled image fails its own checks") }
        var doc = Document(text: text)
        try? segmenter.segment(&doc, sentences: false)
        var walk: [Span] = []
        g.findMatches(in: doc, into: &walk)
        for s in walk {
            require(s.firstToken < s.endToken && s.endToken <= doc.tokens.count, "span tokens")
            require(s.start == doc.tokens[s.firstToken].start && s.end == doc.tokens[s.endToken - 1].end, "span on token boundaries")
        }
        if let automaton = GazetteerAutomaton.build(g.image, threshold: 0) {
            var auto: [Span] = []
            g.image.findMatches(text: doc.text, tokens: doc.tokens, allowed: nil, cache: nil, names: nil, spansCache: nil,
                                into: &auto, automaton: automaton)
            require(auto == walk, "automaton and walk agree")
        }
    }
    return 0
}
