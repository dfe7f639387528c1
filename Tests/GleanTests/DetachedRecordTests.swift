import Foundation
@testable import Glean
import GleanTestSupport
import Testing

/// A large JSONL record is decoded apart from the bytes it was read into, which are freed
/// before it is annotated (``PipelineOptions/detachedRecordBytes``): with every record detached
/// (a threshold of one byte, one record a batch), the output holds the same JSON values as
/// without, every field other than the text byte for byte, and the same error records.
struct DetachedRecordTests {
    static func run(_ input: String, in scratch: Scratch, name: String, detached: Bool, inlineErrors: Bool,
                    textField: String = "text") throws -> (output: [UInt8], errors: [UInt8]) {
        var config = AnnotatorConfiguration()
        config.emit = [.tokens, .sents, .ents, .spans]
        config.stages = try ModelSelection().stages()
        config.textField = textField
        var options = PipelineOptions()
        options.inputs = try InputExpander.expand([input])
        options.output = .file(scratch.path(name))
        options.errorsPath = scratch.path(name + ".errors")
        options.threads = 2
        options.batchRecords = 1
        options.inlineErrors = inlineErrors
        if detached { options.detachedRecordBytes = 1 }
        _ = try Pipeline(annotator: try Annotator(configuration: config), options: options).run()
        return (scratch.read(name) ?? [], scratch.read(name + ".errors") ?? [])
    }

    /// The members of one output line as raw JSON, by key, and the text's decoded value.
    static func members(_ line: ArraySlice<UInt8>) throws -> [String: [UInt8]] {
        let bytes = Array(line)
        let members = try bytes.withUnsafeBufferPointer { try JSONScanner.objectMembers($0) }
        var out: [String: [UInt8]] = [:]
        for m in members { out[String(decoding: m.key, as: UTF8.self)] = Array(bytes[m.valueStart..<m.valueEnd]) }
        return out
    }

    @Test(arguments: [false, true])
    func detachedRecordsPrintTheSameValues(inlineErrors: Bool) throws {
        let scratch = Scratch("detached")
        let corpus = PrinterRun.corpus(in: scratch)
        // Escapes that Glean writes otherwise (\u00e9, \/), and a nested text field.
        let extra = scratch.write("extra.jsonl", [
            #"{"id":"e1","text":"Caf\u00e9 in Z\u00fcrich \/ Sydney on 3 May 2021.","meta":{"n":[1,2.5e3]}}"#,
            #"{"id":"e2","body":{"lang":"en","text":"Paris, France \ud83d\ude42 on Monday."},"after":true}"#,
        ].joined(separator: "\n") + "\n")
        for (input, textField) in [(corpus, "text"), (extra, "text"), (extra, "body.text")] {
            let whole = try Self.run(input, in: scratch, name: "whole.jsonl", detached: false, inlineErrors: inlineErrors, textField: textField)
            let apart = try Self.run(input, in: scratch, name: "apart.jsonl", detached: true, inlineErrors: inlineErrors, textField: textField)
            #expect(apart.errors == whole.errors, "error records")
            let a = apart.output.split(separator: 0x0A), w = whole.output.split(separator: 0x0A)
            #expect(a.count == w.count && !w.isEmpty)
            var texts = 0
            var rewritten = 0
            for (x, y) in zip(a, w) {
                let mx = try Self.members(x), my = try Self.members(y)
                #expect(mx.keys.sorted() == my.keys.sorted())
                let textKey = textField.split(separator: ".").first.map(String.init) ?? "text"
                for key in my.keys where key != textKey {
                    #expect(mx[key] == my[key], "field \(key) byte for byte")
                }
                // The text (or the object holding it) is the same JSON value.
                if let vx = mx[textKey], let vy = my[textKey] {
                    texts += 1
                    let ox = try JSONSerialization.jsonObject(with: Data(vx), options: .fragmentsAllowed)
                    let oy = try JSONSerialization.jsonObject(with: Data(vy), options: .fragmentsAllowed)
                    // Written again with sorted keys and one escaping, the two are the same bytes.
                    let nx = try JSONSerialization.data(withJSONObject: ox, options: [.sortedKeys, .fragmentsAllowed])
                    let ny = try JSONSerialization.data(withJSONObject: oy, options: [.sortedKeys, .fragmentsAllowed])
                    #expect(nx == ny, "text value")
                    if vx != vy { rewritten += 1 }
                }
            }
            #expect(texts > 0)
            // The extra records' escapes are written in Glean's way: the check above compared
            // values, not bytes.
            if input == extra { #expect(rewritten > 0) }
        }
    }
}
