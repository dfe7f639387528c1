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

/// What the JSONL decoder finds in a record: the text, the language, the id, the pass-through
/// fields in order, and the warnings; records with and without repeated keys (the last value
/// wins at the first key's place), escaped keys and values, and more keys than the linear
/// search handles.
struct RecordDecoderFieldTests {
    struct Case: Sendable, CustomStringConvertible {
        let record: String
        let text: String
        let lang: String
        let id: String?
        /// The pass-through fields as written: `key:value`.
        let fields: [String]
        let duplicateWarnings: Int
        /// Input fields that Glean's own replace (dropped, with a warning).
        var replaced = 0
        var description: String { record.debugDescription }
    }

    static let many = (0..<20).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")

    static let cases: [Case] = [
        Case(record: #"{"id":"a","text":"Hi","lang":"de"}"#, text: "Hi", lang: "de", id: #""a""#,
             fields: [#""id":"a""#, #""text":"Hi""#, #""lang":"de""#], duplicateWarnings: 0),
        Case(record: #"{"text":"x\ny","id":7}"#, text: "x\ny", lang: "en", id: "7",
             fields: [#""text":"x\ny""#, #""id":7"#], duplicateWarnings: 0),
        // The last value wins, written where the key first stood.
        Case(record: #"{"text":"one","id":1,"text":"two"}"#, text: "two", lang: "en", id: "1",
             fields: [#""text":"two""#, #""id":1"#], duplicateWarnings: 1),
        Case(record: #"{"lang":"ru","text":"a","lang":"de","lang":"fr"}"#, text: "a", lang: "fr", id: nil,
             fields: [#""lang":"fr""#, #""text":"a""#], duplicateWarnings: 2),
        // An escaped key is the same key; the key is written as it first stood.
        Case(record: #"{"te\u0078t":"esc","text":"plain"}"#, text: "plain", lang: "en", id: nil,
             fields: [#""te\u0078t":"plain""#], duplicateWarnings: 1),
        // An escaped language value is decoded; an unescaped one is taken as it is.
        Case(record: #"{"text":"t","lang":"r\u0075"}"#, text: "t", lang: "ru", id: nil,
             fields: [#""text":"t""#, #""lang":"r\u0075""#], duplicateWarnings: 0),
        Case(record: #"{"text":"t","lang":"zh-Hant"}"#, text: "t", lang: "zh-Hant", id: nil,
             fields: [#""text":"t""#, #""lang":"zh-Hant""#], duplicateWarnings: 0),
        // A language that is not a string is ignored.
        Case(record: #"{"text":"t","lang":5}"#, text: "t", lang: "en", id: nil,
             fields: [#""text":"t""#, #""lang":5"#], duplicateWarnings: 0),
        // More than 16 keys: the table of first places.
        Case(record: "{\(many),\"text\":\"m\",\"k3\":\"x\"}", text: "m", lang: "en", id: nil,
             fields: (0..<20).map { $0 == 3 ? #""k3":"x""# : #""k\#($0)":\#($0)"# } + [#""text":"m""#], duplicateWarnings: 1),
        Case(record: "{\(many),\"text\":\"m\"}", text: "m", lang: "en", id: nil,
             fields: (0..<20).map { #""k\#($0)":\#($0)"# } + [#""text":"m""#], duplicateWarnings: 0),
        // Keys Glean writes are dropped, escaped or not; keys like them are kept.
        Case(record: #"{"text":"t","tokens":[1],"sents":[],"spans":{},"ents":0,"warnings":[],"to\u006bens":2,"token":3,"ent":4,"sentss":5}"#,
             text: "t", lang: "en", id: nil, fields: [#""text":"t""#, #""token":3"#, #""ent":4"#, #""sentss":5"#],
             duplicateWarnings: 1, replaced: 5),
    ]

    @Test(arguments: cases)
    func decodes(_ c: Case) throws {
        let decoder = JSONLDecoder(configuration: AnnotatorConfiguration(), source: "t.jsonl")
        let bytes = Array(c.record.utf8)
        var seen = false
        try bytes.withUnsafeBufferPointer { line in
            try decoder.decode(line, line: 1) { record in
                seen = true
                #expect(String(decoding: record.document.text, as: UTF8.self) == c.text)
                #expect(record.document.lang == c.lang)
                #expect(record.id.map { String(decoding: $0, as: UTF8.self) } == c.id)
                let fields = record.fields.map { field -> String in
                    guard case .member(let key, let value) = field else { return "?" }
                    return String(decoding: record.input[key], as: UTF8.self) + ":" + String(decoding: record.input[value], as: UTF8.self)
                }
                #expect(fields == c.fields)
                #expect(record.warnings.filter { $0.reason.contains("duplicate key") }.count == c.duplicateWarnings)
                #expect(record.warnings.filter { $0.reason.contains("replaced by Glean") }.count == c.replaced)
            }
        }
        #expect(seen)
    }
}
