// Tokenization, the pattern stage, the gazetteer and resolution on arbitrary text (repaired to
// UTF-8, as the pipeline does): tokens rebuild the text, spans lie on token boundaries.
import Glean
import GleanCore

let worker: AnnotatorWorker = {
    var config = AnnotatorConfiguration()
    config.stages = try! ModelSelection().stages()
    config.emit = [.tokens, .sents, .ents, .spans]
    return try! Annotator(configuration: config).makeWorker()
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAnnotate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let text = UTF8Validation.repaired(input) ?? Array(input)
    require(UTF8Validation.firstInvalid(text.withUnsafeBufferPointer { $0 }) == nil, "repair leaves valid UTF-8")
    var doc = Document(text: text)
    try? worker.annotate(&doc)
    checkDocument(doc)
    return 0
}
