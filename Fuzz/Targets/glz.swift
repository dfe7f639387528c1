// The .glz loader on arbitrary bytes (checksum checked and not): refused with a reason, or
// loaded and matched without a crash, spans inside the text, walk and automaton agreeing.
import Foundation
@testable import GleanGazetteer
import GleanCore
import GleanSegment

let segmenter = try! Segmenter()
let sample: Document = {
    var d = Document("Sydney, New York, Georgia and the Euro in New York City, sydney GEORGIA a a a b")
    try! segmenter.segment(&d, sentences: false)
    return d
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGLZ(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for verify in [true, false] {
        guard let g = try? Gazetteer(image: bytes, verifyChecksum: verify) else { continue }
        var walk: [Span] = []
        g.findMatches(in: sample, into: &walk)
        _ = g.info
        for s in walk { require(s.start >= 0 && s.start < s.end && s.end <= sample.text.count, "span in the text") }
        if let automaton = GazetteerAutomaton.build(g.image, threshold: 0) {
            var auto: [Span] = []
            g.image.findMatches(text: sample.text, tokens: sample.tokens, allowed: nil, cache: nil, names: nil,
                                spansCache: nil, into: &auto, automaton: automaton)
            require(auto == walk, "automaton and walk agree")
        }
    }
    return 0
}
