@testable import Glean
import GleanCore
import GleanIO
import Testing

/// The JSONL decoder's contract on one record: a record is one line, so whitespace between JSON
/// tokens may hold a carriage return or a tab (passed through as written) but never a line feed,
/// which would split the output record in two. The line reader never hands one over; a library
/// caller can, and gets one error record that names the byte.
struct RecordDecoderTests {
    struct Case: Sendable, CustomStringConvertible {
        let record: String
        /// Byte of the first line feed, or nil when the record is one line and must decode.
        let feedAt: Int?
        var description: String { record.debugDescription }
    }

    static let cases: [Case] = [
        Case(record: #"{"id":"a","text":"Hi there.","meta":{"n":[1,2]}}"#, feedAt: nil),
        Case(record: "{\"id\":\"a\",\"text\":\"Hi there.\",\"meta\":{\"n\":[1,\r\t2]}}", feedAt: nil),
        Case(record: "{\"id\":\"a\",\"text\":\"Hi there.\",\"meta\":{\"n\":[1,\n2]}}", feedAt: 44),
        Case(record: "{\"id\":\"a\",\n\"text\":\"Hi\"}", feedAt: 10),
        Case(record: "{\"text\":\"caf\u{FFFD}York\"}\n", feedAt: 21),
    ]

    @Test(arguments: cases)
    func oneRecordIsOneLine(_ c: Case) throws {
        let processor = RecordProcessor(worker: try Annotator(configuration: AnnotatorConfiguration()).makeWorker(),
                                        format: .jsonl, sourceName: "t.jsonl")
        var output = JSONWriter()
        var errors = JSONWriter()
        var stats = RunStatistics()
        let bytes = Array(c.record.utf8)
        if let at = c.feedAt { try #require(bytes[at] == 0x0A, "the table's byte is the line feed") }
        bytes.withUnsafeBufferPointer {
            processor.process($0, line: 7, offset: 0, output: &output, errors: &errors, stats: &stats)
        }
        #expect(stats.records + stats.errors == 1)
        for w in [output, errors] where w.count > 0 {
            #expect(w.bytes.last == 0x0A && w.bytes.dropLast().allSatisfy { $0 != 0x0A }, "one output line")
        }
        if let at = c.feedAt {
            #expect(stats.errors == 1 && output.count == 0)
            let line = String(decoding: errors.bytes, as: UTF8.self)
            #expect(line.contains("a line feed at byte \(at) of the record"), "\(line)")
            #expect(line.contains(#""line":7"#))
        } else {
            #expect(stats.records == 1 && errors.count == 0)
        }
    }
}
