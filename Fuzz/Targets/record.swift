// JSON decoding, UTF-8 repair, pass-through and annotation of one JSONL record, with the default
// models: exactly one output line or one error line, and each line is one strict JSON object
// (RFC 8259, checked by the scanner that validates input records; Foundation's parser is not the
// reference, as it refuses the unpaired surrogate escapes that JSON allows and that a record may
// carry through unchanged).
import Foundation
import Glean
import GleanCore
import GleanIO

let processor: RecordProcessor = {
    var config = AnnotatorConfiguration()
    config.stages = try! ModelSelection().stages()
    config.emit = [.tokens, .sents, .ents, .spans]
    let annotator = try! Annotator(configuration: config)
    return RecordProcessor(worker: try! annotator.makeWorker(), format: .jsonl, sourceName: "fuzz")
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecord(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var output = JSONWriter()
    var errors = JSONWriter()
    var stats = RunStatistics()
    processor.process(UnsafeBufferPointer(start: data, count: size), line: 1, offset: 0,
                      output: &output, errors: &errors, stats: &stats)
    require(stats.records + stats.errors == 1, "one record in, \(stats.records) out, \(stats.errors) errors")
    for w in [output, errors] where w.count > 0 {
        let bytes = w.bytes
        require(bytes.last == 0x0A && bytes.dropLast().allSatisfy { $0 != 0x0A }, "one line")
        let line = Array(bytes.dropLast())
        let valid = line.withUnsafeBufferPointer { (try? JSONScanner.objectMembers($0)) != nil }
        require(valid, "output is a JSON object: \(String(decoding: bytes.prefix(300), as: UTF8.self))")
        require(UTF8Validation.firstInvalid(line.withUnsafeBufferPointer { $0 }) == nil, "output is valid UTF-8")
    }
    return 0
}
