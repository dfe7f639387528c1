// The gazetteer compiler and matcher: the input's first line holds names (separated by '|'),
// the rest is the text. The compile succeeds or names a reason; matches lie on token
// boundaries; the walk and the automaton find the same spans; a load of the compiled image
// passes the structural checks. Counted work (WorkCounters.swift) is linear in the input: the
// compile on 1, 2 and 4 copies of the names (bytes handed to the tokenizer, ICU steps, trie
// nodes, image bytes), the match on 1, 2 and 4 copies of the text (trie steps of the walk and of
// the automaton, ICU steps of the segmentation).
@testable import GleanGazetteer
import GleanCore
import GleanSegment

let segmenter = try! Segmenter()
let tokenize: NameTokenizer = { doc in
    Work.current.extra["tokenizer bytes", default: 0] += doc.text.count
    try segmenter.segment(&doc, sentences: false)
}

/// The largest text whose work is checked on copies (see annotate.swift).
let largestLinearityCheck = 16 * 1024

func compiled(_ entries: [GazetteerEntry], _ mode: CaseMode) -> ((Gazetteer, CompileReport)?, Work) {
    var result: ([UInt8], CompileReport)?
    var work = Work.measure {
        result = try? GazetteerCompiler.compile(entries, options: GazetteerCompileOptions(folding: TextFolding(caseMode: mode)), tokenize: tokenize)
    }
    guard let (image, report) = result else { return (nil, work) }
    guard let g = try? Gazetteer(image: image) else { fatalError("a compiled image fails its own checks") }
    work.extra["trie nodes"] = report.nodes
    work.extra["image bytes"] = image.count
    return ((g, report), work)
}

/// The walk's matches, the automaton's (nil without one) and the work of both with the segmentation.
func matched(_ g: Gazetteer, _ text: [UInt8]) -> (Document, [Span], [Span]?, Work) {
    var doc = Document(text: text)
    var walk: [Span] = []
    var auto: [Span]? = nil
    let work = Work.measure {
        try? segmenter.segment(&doc, sentences: false)
        Work.current.extra["walk steps"] = g.image.findMatches(text: doc.text, tokens: doc.tokens, allowed: nil, cache: nil, names: nil,
                                                                spansCache: nil, into: &walk)
        if let automaton = GazetteerAutomaton.build(g.image, threshold: 0) {
            var spans: [Span] = []
            Work.current.extra["automaton steps"] = g.image.findMatches(text: doc.text, tokens: doc.tokens, allowed: nil, cache: nil, names: nil,
                                                                         spansCache: nil, into: &spans, automaton: automaton)
            auto = spans
        }
    }
    return (doc, walk, auto, work)
}

/// The counters see the work: compiling two names and matching them counts the tokenizer's
/// bytes, ICU steps (Chinese goes to ICU's word iterator, ASCII need not) and trie steps.
let countersSeeWork: Void = {
    let (result, compileWork) = compiled([GazetteerEntry(name: "New York", label: "A"), GazetteerEntry(name: "中文", label: "B")], .exact)
    guard let (g, _) = result else { fatalError("the self-test names do not compile") }
    let matchWork = matched(g, Array("From New York to 中文字符.".utf8)).3
    require(compileWork.icuSteps > 0 && compileWork.extra["tokenizer bytes", default: 0] > 0 && matchWork.icuSteps > 0
            && matchWork.extra["walk steps", default: 0] > 0 && matchWork.extra["automaton steps", default: 0] > 0,
            "the work counters count nothing: compile \(compileWork), match \(matchWork)")
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGazetteer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    countersSeeWork
    linearityCheckWorks
    let input = UnsafeBufferPointer(start: data, count: size)
    let repaired = UTF8Validation.repaired(input) ?? Array(input)
    let split = repaired.firstIndex(of: 0x0A) ?? repaired.count
    let names = String(decoding: repaired[..<split], as: UTF8.self).split(separator: "|").prefix(64)
    let text = Array(repaired[min(split + 1, repaired.count)...])
    let entries = names.enumerated().map { GazetteerEntry(name: String($1), label: $0 % 2 == 0 ? "A" : "B", kbId: "\($0 % 3)") }
    let check = repaired.count <= largestLinearityCheck
    for mode in [CaseMode.exact, .smart] {
        let (result, compileWork) = compiled(entries, mode)
        guard let (g, _) = result else { continue }
        if check {
            // Copies of the entry list, each copy's entries with their own knowledge-base ids.
            requireLinearWork(pieceBytes: split, "gazetteer compile") { k in
                if k == 1 { return compileWork }
                let copies = (0..<k).flatMap { c in entries.map { GazetteerEntry(name: $0.name, label: $0.label, kbId: "\(c)-\($0.kbId)") } }
                return compiled(copies, mode).1
            }
        }
        let (doc, walk, auto, matchWork) = matched(g, text)
        for s in walk {
            require(s.firstToken < s.endToken && s.endToken <= doc.tokens.count, "span tokens")
            require(s.start == doc.tokens[s.firstToken].start && s.end == doc.tokens[s.endToken - 1].end, "span on token boundaries")
        }
        if let auto { require(auto == walk, "automaton and walk agree") }
        if check {
            requireLinearWork(pieceBytes: text.count, "gazetteer match") { k in k == 1 ? matchWork : matched(g, repeated(text, k)).3 }
        }
    }
    return 0
}
