// Tokenization, the pattern stage, the gazetteer and resolution on arbitrary text (repaired to
// UTF-8, as the pipeline does): tokens rebuild the text, spans lie on token boundaries, and the
// counted work (WorkCounters.swift: ICU steps and bytes, PCRE2 calls and bytes, the default
// gazetteer's trie steps) is linear in the input, checked on 1, 2 and 4 copies of the text.
import Glean
import GleanCore
@testable import GleanGazetteer

let worker: AnnotatorWorker = {
    var config = AnnotatorConfiguration()
    config.stages = try! ModelSelection().stages()
    config.emit = [.tokens, .sents, .ents, .spans]
    return try! Annotator(configuration: config).makeWorker()
}()

/// The default gazetteers, matched once more after the annotation to count their trie steps.
let gazetteers: [Gazetteer] = try! ModelSelection().gazetteerStage()?.gazetteers ?? []

/// The largest text whose work is checked on copies (4 copies of a larger one risk the 10 s
/// timeout under AddressSanitizer).
let largestLinearityCheck = 16 * 1024

func annotated(_ text: [UInt8]) -> (Document, Work) {
    var doc = Document(text: text)
    var work = Work.measure { try? worker.annotate(&doc) }
    var steps = 0
    for g in gazetteers {
        var spans: [Span] = []
        steps += g.image.findMatches(text: doc.text, tokens: doc.tokens, allowed: nil, cache: nil, names: nil, spansCache: nil, into: &spans)
    }
    work.extra["gazetteer steps"] = steps
    return (doc, work)
}

/// The counters see the work (the interposed entry points are the ones the library calls): a
/// text with a sentence break, pattern matches and a name counts ICU, PCRE2 and trie steps.
let countersSeeWork: Void = {
    let w = annotated(Array("Mr. Smith paid $5 in Paris on May 1, 2020. Then he left for London.".utf8)).1
    require(w.pcre2Calls > 0 && w.icuSteps > 0 && w.icuTextBytes > 0 && w.extra["gazetteer steps", default: 0] > 0,
            "the work counters count nothing: \(w)")
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAnnotate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    countersSeeWork
    linearityCheckWorks
    let input = UnsafeBufferPointer(start: data, count: size)
    let text = UTF8Validation.repaired(input) ?? Array(input)
    require(UTF8Validation.firstInvalid(text.withUnsafeBufferPointer { $0 }) == nil, "repair leaves valid UTF-8")
    let (doc, once) = annotated(text)
    checkDocument(doc)
    if text.count <= largestLinearityCheck {
        requireLinearWork(pieceBytes: text.count, "annotate") { k in k == 1 ? once : annotated(repeated(text, k)).1 }
    }
    return 0
}
