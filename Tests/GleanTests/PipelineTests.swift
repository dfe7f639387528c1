import Foundation
import Glean
import GleanTestSupport
import Testing

/// The pipeline end to end through the library: reading, pass-through, errors, compression,
/// directory output, offsets, atomic replacement, and output that does not depend on threads.
struct PipelineTests {
    // MARK: Threads

    /// A corpus of several batches: the sample corpus (each copy made distinct), generated
    /// records, blank lines and bad records.
    static func invarianceCorpus() -> [String] {
        var rng = TestRandom("invarianceCorpus")
        var lines: [String] = []
        let sample = repositoryRoot.appendingPathComponent("corpora/sample/news.jsonl").path
        if let data = FileManager.default.contents(atPath: sample) {
            let records = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("{") }
            for copy in 0..<25 {
                for r in records { lines.append("{\"copy\":\(copy)," + r.dropFirst()) }
            }
        }
        let generated = generatedRecords(lines.isEmpty ? 2500 : 1000, rng: &rng)
        for (i, r) in generated.enumerated() {
            lines.append(r)
            if i % 97 == 0 { lines.append("") }
            if i % 211 == 0 { lines.append("{\"id\":\(i),\"text\":") }
            if i % 307 == 0 { lines.append("{\"id\":\(i)}") }
        }
        return lines
    }

    @Test func threadCountDoesNotChangeOutput() throws {
        let scratch = Scratch("threads")
        let lines = Self.invarianceCorpus()
        let input = scratch.write("corpus.jsonl", lines.joined(separator: "\n") + "\n")
        var outcomes: [Int: Outcome] = [:]
        // Threads 1, 2, 4, and 3 with a single batch in flight per thread (the tightest queue).
        for threads in [1, 2, 4, 3] {
            outcomes[threads] = try PipelineRun.run([input], in: scratch, output: "out-\(threads).jsonl",
                                                    errors: "errors-\(threads).jsonl", threads: threads) { _, options in
                if threads == 3 { options.batchesInFlightPerThread = 1 }
            }
        }
        let one = try #require(outcomes[1])
        #expect(one.summary.statistics.records > 2000, "several batches of 512 records")
        #expect(one.summary.statistics.errors > 0)
        for threads in [2, 4, 3] {
            let other = try #require(outcomes[threads])
            #expect(other.output == one.output, "output with --threads \(threads) differs from --threads 1")
            #expect(other.errors == one.errors, "errors with --threads \(threads) differ from --threads 1")
        }
        // Compressed output is made by the workers, batch by batch: still byte-identical.
        let z1 = try PipelineRun.run([input], in: scratch, output: "z1.jsonl.zst", errors: "ez1.jsonl", threads: 1)
        let z4 = try PipelineRun.run([input], in: scratch, output: "z4.jsonl.zst", errors: "ez4.jsonl", threads: 4)
        #expect(scratch.read("z1.jsonl.zst") == scratch.read("z4.jsonl.zst"))
        #expect(z1.output == one.output && z4.output == one.output)
    }

    // MARK: One output or one error per record

    @Test func everyRecordGivesOneOutputOrOneError() throws {
        let scratch = Scratch("accounting")
        var rng = TestRandom("everyRecordGivesOneOutputOrOneError")
        var lines: [String] = []
        var expectedBad: Set<Int> = []  // line numbers
        var recordLines: [Int] = []
        for (i, good) in generatedRecords(1500, rng: &rng).enumerated() {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: lines.append("{\"id\":\(i),\"text\":\"unterminated}")
            case 1: lines.append("{\"id\":\(i),\"body\":\"no text field\"}")
            case 2: lines.append("{\"id\":\(i),\"text\":[\"not\",\"a\",\"string\"]}")
            case 3: lines.append("not json at all \(i)")
            case 4:
                lines.append("")  // a blank line: not a record, but it counts as a line
                lines.append(good)
            default: lines.append(good)
            }
            recordLines.append(lines.count)
            if lines.last! != good { expectedBad.insert(lines.count) }
        }
        let input = scratch.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        let outcome = try PipelineRun.run([input], in: scratch, threads: 2)
        let s = outcome.summary.statistics
        #expect(s.records + s.errors == recordLines.count, "\(rng.label)")
        #expect(s.errors == expectedBad.count, "\(rng.label)")
        // Errors come in input order and name exactly the bad lines.
        let errorLines = outcome.errorRecords.map { $0["line"] as? Int ?? -1 }
        #expect(errorLines == expectedBad.sorted(), "\(rng.label)")
        var lineStart = [0]
        for l in lines { lineStart.append(lineStart.last! + l.utf8.count + 1) }
        #expect(outcome.errorRecords.map { $0["offset"] as? Int ?? -1 } == expectedBad.sorted().map { lineStart[$0 - 1] }, "\(rng.label)")
        // Outputs come in input order: their ids are those of the good lines, in order.
        let goodIDs = recordLines.filter { !expectedBad.contains($0) }.map { line -> String in
            let l = lines[line - 1]
            return String(l.dropFirst(6).drop { $0 == " " }.prefix { $0.isNumber })
        }
        #expect(outcome.records.map { $0.raw("id") ?? "" } == goodIDs, "\(rng.label)")
    }

    // MARK: Pass-through

    @Test func passThroughKeepsFieldsNumbersAndOrder() throws {
        let scratch = Scratch("passthrough")
        let record = #"{"id":7,"meta":{"b":[1,{"c":null}],"a":"x"},"text":"Hello world.","score":1.50e3,"neg":-0,"big":12345678901234567890,"flag":true,"none":null,"esc":"caf\u00e9 \"q\" \/","arr":[ 1 , 2.0 ]}"#
        let input = scratch.write("in.jsonl", record + "\n")
        let outcome = try PipelineRun.run([input], in: scratch)
        let line = try #require(outcome.records.first)
        // Every input field, byte for byte and in order, then the annotations.
        let prefix = Array(record.utf8.dropLast()) + Array(#","tokens":["#.utf8)
        #expect(Array(line.bytes.prefix(prefix.count)) == prefix, "\(String(decoding: line.bytes, as: UTF8.self))")
        #expect(line.keys == ["id", "meta", "text", "score", "neg", "big", "flag", "none", "esc", "arr", "tokens", "sents", "ents"])
        #expect(line.warnings.isEmpty && line["warnings"] == nil, "no warnings key when there are none")
    }

    /// Keys are written as they were, escapes included: a lone surrogate escape in a key is not
    /// turned into U+FFFD behind the user's back.
    @Test func passThroughKeepsKeysAsWritten() throws {
        let scratch = Scratch("passthrough-keys")
        let record = #"{"k\u00e9y":1,"\/":2,"\uD800":3,"a\"b":4,"text":"t"}"#
        let input = scratch.write("in.jsonl", record + "\n")
        let line = try #require(try PipelineRun.run([input], in: scratch).records.first)
        let prefix = Array(record.utf8.dropLast()) + Array(#","tokens":["#.utf8)
        #expect(Array(line.bytes.prefix(prefix.count)) == prefix, "\(String(decoding: line.bytes, as: UTF8.self))")
        #expect(line.warnings.isEmpty)
    }

    /// Random records against a model of the pass-through rule: each key once, at its first
    /// place, as first written, with its last value byte for byte; Glean's own keys dropped; one
    /// decode warning per repeated key and one render warning per Glean key; a record whose last
    /// `text` is missing or not a string becomes an error record.
    @Test func passThroughMatchesAModel() throws {
        let scratch = Scratch("passthrough-model")
        var rng = TestRandom("passThroughMatchesAModel")
        // (key as written, key decoded)
        let keys: [(String, String)] = [
            (#""a""#, "a"), (#""b""#, "b"), (#""text""#, "text"), (#""te\u0078t""#, "text"), (#""id""#, "id"),
            (#""tokens""#, "tokens"), (#""warnings""#, "warnings"), (#""x.y""#, "x.y"), (#""\u00e9""#, "é"), (#""é""#, "é"),
            (#""""#, ""), (#""ents""#, "ents"),
        ]
        let values = [
            "1", "-0", "1.50e3", "12345678901234567890", "true", "null", #""s""#, #""esc \" \\ \/ \u00e9""#,
            "[ 1 , [ ] , { } ]", #"{ "n" : { "m" : [ null ] } }"#, "[]", "{}", #""😀""#,
        ]
        let gleanKeys: Set<String> = ["tokens", "sents", "ents", "spans", "warnings"]
        var lines: [String] = []
        var expected: [Any] = []  // per record: [(raw key, raw value)] or the error reason's start
        for _ in 0..<600 {
            var members: [(raw: String, key: String, value: String)] = []
            for _ in 0..<Int.random(in: 0...7, using: &rng) {
                let k = keys.randomElement(using: &rng)!
                var v = values.randomElement(using: &rng)!
                if k.1 == "text", Int.random(in: 0..<4, using: &rng) > 0 {
                    var w = JSONWriter()
                    w.string(rng.string(maxLength: 12))
                    v = String(decoding: w.bytes, as: UTF8.self)
                }
                members.append((k.0, k.1, v))
            }
            let ws = { () -> String in [" ", "", "\t", ""].randomElement(using: &rng)! }
            lines.append("{" + members.map { ws() + $0.raw + ws() + ":" + ws() + $0.value + ws() }.joined(separator: ",") + "}")
            // The model.
            var order: [String] = []
            var firstRaw: [String: String] = [:]
            var lastValue: [String: String] = [:]
            for m in members {
                if firstRaw[m.key] == nil { order.append(m.key); firstRaw[m.key] = m.raw }
                lastValue[m.key] = m.value
            }
            guard let text = lastValue["text"] else { expected.append(#"no "text" field"#); continue }
            // Not hasPrefix: `"` followed by U+1F3FD is one Character.
            guard text.utf8.first == UInt8(ascii: "\"") else { expected.append(#"field "text" is"#); continue }
            var warnings: [String] = []
            var seen: Set<String> = []
            for m in members {
                if seen.contains(m.key) { warnings.append("decode:" + m.key) }
                seen.insert(m.key)
            }
            warnings += order.filter { gleanKeys.contains($0) }.map { "render:" + $0 }
            expected.append((order.filter { !gleanKeys.contains($0) }.map { [firstRaw[$0]!, lastValue[$0]!] }, warnings.sorted()))
        }
        let input = scratch.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        let o = try PipelineRun.run([input], in: scratch)
        var records = o.records.makeIterator()
        var errors = o.errorRecords.makeIterator()
        for (i, e) in expected.enumerated() {
            let label = "\(rng.label): line \(i + 1): \(lines[i])"
            if let reason = e as? String {
                let nextError = errors.next()
                let error = try #require(nextError, "\(label)")
                #expect(error["line"] as? Int == i + 1, "\(label)")
                #expect((error["reason"] as? String)?.hasPrefix(reason) == true, "\(label): \(error.object)")
                continue
            }
            let (fields, warnings) = e as! ([[String]], [String])
            let nextRecord = records.next()
            let r = try #require(nextRecord, "\(label)")
            let got = r.members.filter { !gleanKeys.contains(String(decoding: $0.key, as: UTF8.self)) }.map { m -> [String] in
                var keyEnd = m.memberStart + 1
                while r.bytes[keyEnd] != UInt8(ascii: "\"") { keyEnd += r.bytes[keyEnd] == UInt8(ascii: "\\") ? 2 : 1 }
                return [String(decoding: r.bytes[m.memberStart...keyEnd], as: UTF8.self),
                        String(decoding: r.bytes[m.valueStart..<m.valueEnd], as: UTF8.self)]
            }
            #expect(got == fields, "\(label)")
            let gotWarnings = r.warnings.map { ($0["stage"] ?? "") + ":" + ($0["name"] ?? "") }.sorted()
            #expect(gotWarnings == warnings, "\(label)")
        }
        let (extraRecord, extraError) = (records.next(), errors.next())
        #expect(extraRecord == nil && extraError == nil)
    }

    @Test func passThroughKeepsRawValuesAroundWhitespace() throws {
        let scratch = Scratch("passthrough-ws")
        let record = " { \"text\" : \"caf\\u00e9 ok\" ,\t\"n\" : 1E+2 , \"o\" : { \"k\" : [ ] } } "
        let input = scratch.write("in.jsonl", record + "\n")
        let line = try #require(try PipelineRun.run([input], in: scratch).records.first)
        #expect(line.raw("text") == #""caf\u00e9 ok""#, "an untouched text keeps its escapes")
        #expect(line.raw("n") == "1E+2")
        #expect(line.raw("o") == #"{ "k" : [ ] }"#)
        #expect(line.string("text") == "café ok")
        // Offsets are code points of the decoded text.
        #expect(line.tokens.map { [$0.start, $0.end] } == [[0, 4], [5, 7]])
    }

    @Test func duplicateKeysLastValueAtFirstPlaceWithWarning() throws {
        let scratch = Scratch("duplicates")
        let input = scratch.write("in.jsonl", """
            {"a":1,"text":"first text","a":{"n":2},"b":3,"a":"third"}
            {"text":"x","text":"second one"}

            """)
        let records = try PipelineRun.run([input], in: scratch).records
        try #require(records.count == 2)
        #expect(records[0].keys == ["a", "text", "b", "tokens", "sents", "ents", "warnings"])
        #expect(records[0].raw("a") == #""third""#)
        let warnings = records[0].warnings
        #expect(warnings.filter { $0["name"] == "a" && $0["stage"] == "decode" }.count == 2, "\(warnings)")
        // The text is the last one too, and the annotations are of that text.
        #expect(records[1].keys == ["text", "tokens", "sents", "ents", "warnings"])
        #expect(records[1].string("text") == "second one")
        #expect(records[1].tokens.map { [$0.start, $0.end] } == [[0, 6], [7, 10]])
        #expect(records[1].warnings.contains { $0["name"] == "text" })
    }

    @Test func duplicateTextWithEscapedKeyAndRepair() throws {
        let scratch = Scratch("duplicate-text")
        let input = scratch.write("in.jsonl", #"{"text":"first","n":1,"te\u0078t":"b\uD800 c"}"# + "\n")
        let r = try #require(try PipelineRun.run([input], in: scratch).records.first)
        // The escaped key is the same key: its (repaired) value is written at the first place.
        #expect(r.keys == ["text", "n", "tokens", "sents", "ents", "warnings"])
        #expect(r.string("text") == "b\u{FFFD} c")
        #expect(r.tokens.last.map { [$0.start, $0.end] } == [3, 4], "offsets are of the repaired text")
        #expect(r.warnings.contains { $0["name"] == "text" && ($0["reason"] ?? "").contains("duplicate") }, "\(r.warnings)")
        #expect(r.warnings.contains { $0["name"] == "text" && ($0["reason"] ?? "").contains("surrogate") }, "\(r.warnings)")
    }

    @Test func keysGleanWritesAreReplacedWithWarning() throws {
        let scratch = Scratch("glean-keys")
        let input = scratch.write("in.jsonl", #"{"tokens":[1,2],"text":"Hi there","sents":"x","ents":null,"spans":{},"warnings":["old"],"z":0}"# + "\n")
        let records = try PipelineRun.run([input], in: scratch) { config, _ in
            config.emit = [.tokens, .sents, .ents, .spans]
        }.records
        let r = try #require(records.first)
        #expect(r.keys == ["text", "z", "tokens", "sents", "ents", "spans", "warnings"])
        #expect(r.tokens.count == 2)
        #expect(r.sentences.count == 1)
        #expect((r["ents"] as? [Any])?.isEmpty == true)
        #expect((r["spans"] as? [String: Any]).map { Set($0.keys) } == ["patterns", "gazetteer"])
        let replaced = Set(r.warnings.compactMap { $0["name"] })
        #expect(replaced == ["tokens", "sents", "ents", "spans", "warnings"], "\(r.warnings)")
    }

    /// `--emit` decides which keys are written, always after the input's fields and in one order.
    @Test(arguments: [
        ("tokens", ["text", "tokens"]), ("sents", ["text", "sents"]), ("ents", ["text", "ents"]),
        ("spans", ["text", "spans"]), ("tokens,sents,ents", ["text", "tokens", "sents", "ents"]),
        ("ents,tokens", ["text", "tokens", "ents"]), ("spans,sents,tokens,ents", ["text", "tokens", "sents", "ents", "spans"]),
        ("", ["text"]),
    ])
    func emitChoosesTheKeys(emit: String, keys: [String]) throws {
        let scratch = Scratch("emit")
        let input = scratch.write("in.jsonl", #"{"text":"One sentence. Two."}"# + "\n")
        let r = try #require(try PipelineRun.run([input], in: scratch) { config, _ in
            config.emit = try! EmitSet(parsing: emit)
        }.records.first)
        #expect(r.keys == keys)
        if keys.contains("sents") { #expect(r.sentences.count == 2) }
        if keys.contains("tokens") { #expect(r.tokens.count == 5) }
    }

    // MARK: Lines

    @Test func blankLinesAreSkippedButKeepTheirLineNumbers() throws {
        let scratch = Scratch("blank")
        let lines = [
            "",  // 1
            #"{"id":1,"text":"One."}"#,  // 2
            " \t",  // 3
            #"{"id":2,"text":"#,  // 4: invalid JSON
            "\r",  // 5: blank once the CR is dropped
            #"{"id":3}"#,  // 6: no text
            #"{"id":"four","text":5}"#,  // 7: not a string
            "",  // 8
            #"{"id":5,"text":"Last."}"#,  // 9, no final LF
        ]
        let input = scratch.write("in.jsonl", lines.joined(separator: "\n"))
        let outcome = try PipelineRun.run([input], in: scratch)
        #expect(outcome.records.map { $0.raw("id") } == ["1", "5"])
        let e = outcome.errorRecords
        try #require(e.count == 3)
        var offsets: [Int] = [0]
        for l in lines { offsets.append(offsets.last! + l.utf8.count + 1) }
        #expect(e.map { $0["line"] as? Int } == [4, 6, 7])
        #expect(e.map { $0["offset"] as? Int } == [offsets[3], offsets[5], offsets[6]])
        #expect(e.allSatisfy { $0["source"] as? String == input })
        #expect((e[0]["reason"] as? String)?.hasPrefix("invalid JSON") == true, "\(e[0].object)")
        #expect(e[0]["id"] == nil)
        #expect(e[1].raw("id") == "3" && e[1]["reason"] as? String == #"no "text" field"#)
        #expect(e[2].raw("id") == #""four""# && e[2]["reason"] as? String == #"field "text" is a number, not a string"#)
    }

    @Test func crlfAndFinalLineWithoutLF() throws {
        let scratch = Scratch("crlf")
        var rng = TestRandom("crlfAndFinalLineWithoutLF")
        let records = generatedRecords(300, rng: &rng)
        let lf = scratch.write("lf.jsonl", records.joined(separator: "\n") + "\n")
        let crlf = scratch.write("crlf.jsonl", records.joined(separator: "\r\n") + "\r\n")
        let noFinalLF = scratch.write("nolf.jsonl", records.joined(separator: "\n"))
        let mixed = scratch.write("mixed.jsonl", records.enumerated().map { $0.element + ($0.offset % 2 == 0 ? "\r\n" : "\n") }.joined() + "\r\n")
        let reference = try PipelineRun.run([lf], in: scratch, output: "lf.out.jsonl", errors: "lf.err")
        #expect(reference.records.count == 300 && reference.errors.isEmpty)
        for (input, name) in [(crlf, "crlf"), (noFinalLF, "nolf"), (mixed, "mixed")] {
            let o = try PipelineRun.run([input], in: scratch, output: "\(name).out.jsonl", errors: "\(name).err")
            #expect(o.output == reference.output, "\(name) differs")
            #expect(o.errors.isEmpty, "\(name): \(String(decoding: o.errors, as: UTF8.self))")
        }
        // A CR inside the text (escaped) is text, not a line end.
        let inner = scratch.write("inner.jsonl", #"{"text":"a\r\nb"}"# + "\r\n")
        let r = try #require(try PipelineRun.run([inner], in: scratch, output: "inner.out", errors: "inner.err").records.first)
        #expect(r.string("text") == "a\r\nb")
    }

    /// Several inputs into one output: the output is the concatenation of the single runs, and
    /// each error names its own file.
    @Test func severalInputsIntoOneOutput() throws {
        let scratch = Scratch("several")
        var rng = TestRandom("severalInputsIntoOneOutput")
        var inputs: [String] = []
        for k in 0..<3 {
            var lines = generatedRecords(300 + 250 * k, rng: &rng, firstID: 1000 * k)
            lines.insert("broken \(k)", at: 10 * k + 1)
            inputs.append(scratch.write("in\(k).jsonl", lines.joined(separator: "\n") + "\n"))
        }
        let all = try PipelineRun.run(inputs, in: scratch, output: "all.jsonl", errors: "all.err", threads: 3)
        var output: [UInt8] = []
        var errors: [[String]] = []
        for (k, input) in inputs.enumerated() {
            let one = try PipelineRun.run([input], in: scratch, output: "one\(k).jsonl", errors: "one\(k).err")
            output += one.output
            errors += one.errorRecords.map { [$0["source"] as? String ?? "", $0.raw("line") ?? ""] }
        }
        #expect(all.output == output)
        #expect(all.errorRecords.map { [$0["source"] as? String ?? "", $0.raw("line") ?? ""] } == errors)
        #expect(errors.map(\.[1]) == ["2", "12", "22"])
    }

    /// A record larger than a batch and than the reader's buffers, plain and gzip-compressed: it
    /// is annotated whole, and the line numbers after it stay right.
    @Test func recordLargerThanABatch() throws {
        let scratch = Scratch("large")
        let words = (0..<300_000).map { ["alpha", "beta", "gamma", "délta"][$0 % 4] }
        let big = words.joined(separator: " ")
        let lines = [#"{"id":1,"text":"small"}"#, #"{"id":2,"text":""# + big + #""}"#, "bad", #"{"id":4,"text":"after"}"#]
        let plain = scratch.write("big.jsonl", lines.joined(separator: "\n") + "\n")
        let gz = scratch.write("big.jsonl.gz", try tool(["gzip", "-c", plain]))
        for input in [plain, gz] {
            let o = try PipelineRun.run([input], in: scratch, output: "out.jsonl", errors: "e.jsonl")
            #expect(o.records.map { $0.raw("id") } == ["1", "2", "4"])
            #expect(o.records.count == 3 && o.records[1].tokens.count == words.count)
            #expect(o.records.count == 3 && o.records[1].tokens.last?.end == big.unicodeScalars.count)
            #expect(o.errorRecords.map { $0["line"] as? Int } == [3])
            #expect(o.errorRecords.map { $0["offset"] as? Int } == [lines[0].utf8.count + lines[1].utf8.count + 2])
        }
    }

    // MARK: Bad input

    /// (line, the start of the reason, whether the error record carries the id).
    static let badRecords: [(String, String, Bool)] = [
        (#"{"id":1,"text":"x""#, "invalid JSON", false),
        (#"{"id":1,"text":"x"} trailing"#, "invalid JSON", false),
        (#"[{"text":"x"}]"#, "invalid JSON", false),
        (#""just a string""#, "invalid JSON", false),
        ("plain text line", "invalid JSON", false),
        (#"{"id":1,"text":'single'}"#, "invalid JSON", false),
        (#"{"id":1,"text":"x\q"}"#, "invalid JSON", false),
        (#"{"id":1}"#, #"no "text" field"#, true),
        (#"{"id":1,"Text":"wrong case"}"#, #"no "text" field"#, true),
        (#"{"id":1,"text":null}"#, #"field "text" is null, not a string"#, true),
        (#"{"id":1,"text":12}"#, #"field "text" is a number, not a string"#, true),
        (#"{"id":1,"text":true}"#, #"field "text" is a boolean, not a string"#, true),
        (#"{"id":1,"text":["a"]}"#, #"field "text" is an array, not a string"#, true),
        (#"{"id":1,"text":{"t":"a"}}"#, #"field "text" is an object, not a string"#, true),
    ]

    @Test(arguments: badRecords)
    func badRecordGivesAnErrorRecord(line: String, reason: String, hasID: Bool) throws {
        let scratch = Scratch("bad")
        let good = #"{"id":0,"text":"fine"}"#
        let input = scratch.write("in.jsonl", good + "\n" + line + "\n" + good + "\n")
        let outcome = try PipelineRun.run([input], in: scratch)
        #expect(outcome.records.count == 2, "processing goes on after a bad record")
        let e = try #require(outcome.errorRecords.first)
        #expect(outcome.errorRecords.count == 1)
        #expect(e["source"] as? String == input)
        #expect(e["line"] as? Int == 2)
        #expect(e["offset"] as? Int == good.utf8.count + 1)
        #expect((e["reason"] as? String)?.hasPrefix(reason) == true, "\(e.object)")
        #expect((e.raw("id") == "1") == hasID)
        #expect(e.keys.first == "source" && e.keys.last == "reason")
    }

    /// `--id-field` names the field whose raw value error records carry.
    @Test func idFieldGoesIntoErrorRecords() throws {
        let scratch = Scratch("id-field")
        let input = scratch.write("in.jsonl", """
            {"id":1,"doc_id":"d-1","body":"no text"}
            {"id":2,"doc_id":{"k":[1, 2]},"text":null}
            {"id":3,"text":5}
            {"doc_id":"d-4","text":"fine"}

            """)
        let o = try PipelineRun.run([input], in: scratch) { config, _ in config.idField = "doc_id" }
        #expect(o.errorRecords.map { $0.raw("id") } == [#""d-1""#, #"{"k":[1, 2]}"#, nil])
        #expect(o.records.first?.keys == ["doc_id", "text", "tokens", "sents", "ents"], "no id field is added")
    }

    @Test func invalidUTF8IsRepairedWithAWarning() throws {
        let scratch = Scratch("utf8")
        let bytes: [UInt8] = Array(#"{"id":1,"text":"caf"#.utf8) + [0xC3] + Array(" ok ".utf8) + [0xFF, 0xFE]
            + Array(#"!","other":"x"#.utf8) + [0xED, 0xA0, 0x80] + Array("\"}\n".utf8)
        let input = scratch.write("in.jsonl", bytes)
        let outcome = try PipelineRun.run([input], in: scratch)
        #expect(outcome.errorRecords.isEmpty)
        #expect(String(validating: outcome.output, as: UTF8.self) != nil, "the output is valid UTF-8")
        let r = try #require(outcome.records.first)
        #expect(r.string("text") == "caf\u{FFFD} ok \u{FFFD}\u{FFFD}!")
        #expect(r.string("other") == "x\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(r.warnings.contains { $0["stage"] == "decode" && ($0["reason"] ?? "").contains("UTF-8") }, "\(r.warnings)")
        #expect(r.tokens.last.map { $0.end } == "caf\u{FFFD} ok \u{FFFD}\u{FFFD}!".unicodeScalars.count)
    }

    @Test func loneSurrogateInTextIsRepairedWithAWarning() throws {
        let scratch = Scratch("surrogate")
        let input = scratch.write("in.jsonl", #"{"text":"a\uD800b \uD83D\uDE00 \uDC00","keep":"\uD800"}"# + "\n")
        let r = try #require(try PipelineRun.run([input], in: scratch).records.first)
        #expect(r.string("text") == "a\u{FFFD}b 😀 \u{FFFD}")
        #expect(!r.raw("text")!.contains(#"\uD800"#), "the repaired text is written, not the raw escape")
        #expect(r.raw("keep") == #""\uD800""#, "other fields pass through unchanged")
        #expect(r.warnings.contains { $0["name"] == "text" && $0["stage"] == "decode" }, "\(r.warnings)")
    }

    // MARK: Options

    @Test func dottedTextField() throws {
        let scratch = Scratch("dotted")
        let input = scratch.write("in.jsonl", """
            {"id":1,"doc":{"title":"T","body":"Nested body text."},"n":1.0}
            {"id":2,"doc":{"title":"no body"}}
            {"id":3,"doc.body":"Flat key."}
            {"id":4,"doc":{"body":"x\\uD800y"}}
            {"id":5,"doc":"not an object"}

            """)
        let outcome = try PipelineRun.run([input], in: scratch) { config, _ in config.textField = "doc.body" }
        let r = outcome.records
        try #require(r.count == 3)
        #expect(r[0].raw("doc") == #"{"title":"T","body":"Nested body text."}"#)
        #expect(r[0].keys == ["id", "doc", "n", "tokens", "sents", "ents"])
        // Offsets are in the nested text: Nested | body | text | .
        #expect(r[0].tokens.map { [$0.start, $0.end] } == [[0, 6], [7, 11], [12, 16], [16, 17]])
        #expect(r[1].raw("id") == "3" && r[1].tokens.count == 3)
        // A repaired nested text is written back in its place.
        #expect(r[2].raw("doc") == "{\"body\":\"x\u{FFFD}y\"}")
        #expect(r[2].warnings.contains { $0["name"] == "doc.body" })
        #expect(outcome.errorRecords.map { $0.raw("id") } == ["2", "5"])
        #expect(outcome.errorRecords.allSatisfy { ($0["reason"] as? String)?.contains("doc.body") == true })
    }

    @Test func limitStopsAfterNRecords() throws {
        let scratch = Scratch("limit")
        var rng = TestRandom("limitStopsAfterNRecords")
        var lines = generatedRecords(2000, rng: &rng)
        lines[3] = "bad"
        lines.insert("", at: 5)
        let input = scratch.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        for limit in [0, 1, 10, 600, 1999, 5000] {
            let o = try PipelineRun.run([input], in: scratch, output: "out-\(limit).jsonl", errors: "e-\(limit).jsonl") { _, options in
                options.limit = limit
            }
            let expected = min(limit, 2000)
            #expect(o.summary.statistics.records + o.summary.statistics.errors == expected, "--limit \(limit)")
            #expect(o.errorRecords.count == (limit > 3 ? 1 : 0))
            // The records written are the first ones, in order.
            let ids = o.records.compactMap { $0.raw("id").flatMap { Int($0) } }
            #expect(ids == Array(0..<expected).filter { $0 != 3 }, "--limit \(limit)")
        }
        // Across files: the limit counts records of all files together.
        let second = scratch.write("second.jsonl", generatedRecords(5, rng: &rng, firstID: 5000).joined(separator: "\n") + "\n")
        let first = scratch.write("first.jsonl", generatedRecords(6, rng: &rng).joined(separator: "\n") + "\n")
        let o = try PipelineRun.run([first, second], in: scratch, output: "two.jsonl", errors: "two.err") { _, options in
            options.limit = 8
        }
        #expect(o.records.compactMap { $0.raw("id") } == ["0", "1", "2", "3", "4", "5", "5000", "5001"])
    }

    @Test func maxErrorsStopsEarly() throws {
        let scratch = Scratch("max-errors")
        let total = 40_000
        let input = scratch.write("in.jsonl", (0..<total).map { "bad \($0)" }.joined(separator: "\n") + "\n")
        for threads in [1, 2] {
            let o = try PipelineRun.run([input], in: scratch, output: "out-\(threads).jsonl", errors: "e-\(threads).jsonl", threads: threads) { _, options in
                options.maxErrors = 5
            }
            let errors = o.summary.statistics.errors
            #expect(o.summary.stoppedEarly != nil, "the run says it stopped early")
            // The output ends at the record that brings the count to --max-errors.
            #expect(errors == 5, "stopped after \(errors) of \(total) bad records")
            // The errors written are the first ones, in order.
            #expect(o.errorRecords.map { $0["line"] as? Int ?? 0 } == Array(1...errors))
        }
    }

    // MARK: Compression

    @Test func compressedInputsGiveTheSameOutput() throws {
        let scratch = Scratch("compressed-in")
        var rng = TestRandom("compressedInputsGiveTheSameOutput")
        var lines = generatedRecords(1200, rng: &rng)
        lines[7] = "{\"id\":7,\"text\":"
        let plain = scratch.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        let reference = try PipelineRun.run([plain], in: scratch, output: "ref.jsonl", errors: "ref.err")
        // Two gzip members concatenated, a zstd stream of two frames, and gzip data without a .gz name.
        let half = lines.count / 2
        let a = scratch.write("a.part", lines[..<half].joined(separator: "\n") + "\n")
        let b = scratch.write("b.part", lines[half...].joined(separator: "\n") + "\n")
        let gz = scratch.write("in.jsonl.gz", try tool(["gzip", "-c", a]) + tool(["gzip", "-c", b]))
        let zst = scratch.write("in.jsonl.zst", try tool(["zstd", "-q", "-c", a]) + tool(["zstd", "-q", "-c", b]))
        let magic = scratch.write("magic.jsonl", try tool(["gzip", "-c", plain]))
        let single = scratch.write("single.jsonl.zst", try tool(["zstd", "-q", "-c", "-19", plain]))
        for (path, name) in [(gz, "gz"), (zst, "zst"), (magic, "magic"), (single, "single")] {
            let o = try PipelineRun.run([path], in: scratch, output: "\(name).out.jsonl", errors: "\(name).err")
            #expect(o.output == reference.output, "\(name) input gives different output")
            // The error names the same line and decompressed offset, with this file as source.
            #expect(o.errorRecords.map { [$0["line"] as? Int, $0["offset"] as? Int] } == reference.errorRecords.map { [$0["line"] as? Int, $0["offset"] as? Int] })
            #expect(o.errorRecords.first?["source"] as? String == path)
        }
        // A corrupt gzip file: an error record names it, and the next file is read as usual.
        var corrupt = try tool(["gzip", "-c", plain])
        for k in stride(from: corrupt.count / 3, to: corrupt.count / 3 + 40, by: 4) { corrupt[k] ^= 0x5A }
        let bad = scratch.write("corrupt.jsonl.gz", corrupt)
        let next = scratch.write("next.jsonl", lines[0] + "\n")
        let c = try PipelineRun.run([bad, next], in: scratch, output: "corrupt.jsonl", errors: "corrupt.err")
        #expect(c.errorRecords.contains { $0["source"] as? String == bad && ($0["reason"] as? String ?? "").contains("gzip") },
                "\(c.errorRecords.map(\.object))")
        #expect(c.records.last?.bytes == reference.records.first?.bytes, "the file after the corrupt one is annotated")

        // A truncated file: the complete records before the cut, then one error that says so.
        for (format, command) in [("gz", ["gzip", "-c", plain]), ("zst", ["zstd", "-q", "-c", plain])] {
            let full = try tool(command)
            let cut = scratch.write("cut.jsonl.\(format)", Array(full.prefix(full.count * 6 / 10)))
            let o = try PipelineRun.run([cut], in: scratch, output: "cut-\(format).jsonl", errors: "cut-\(format).err")
            #expect(o.records.count > 100 && o.records.count < reference.records.count, "\(format)")
            #expect(o.records.map(\.bytes) == reference.records.prefix(o.records.count).map(\.bytes), "\(format)")
            let last = try #require(o.errorRecords.last)
            #expect(o.errorRecords.count == 2, "the bad record and the truncation: \(o.errorRecords.map(\.object))")
            #expect((last["reason"] as? String)?.contains("truncated") == true, "\(format): \(last.object)")
            #expect(last["source"] as? String == cut)
        }
    }

    @Test(arguments: ["gz", "zst"])
    func compressedOutputDecompressesToThePlainOutput(format: String) throws {
        let scratch = Scratch("compressed-out")
        var rng = TestRandom("compressedOutput")
        let input = scratch.write("in.jsonl", (generatedRecords(1500, rng: &rng) + ["oops"]).joined(separator: "\n") + "\n")
        let plain = try PipelineRun.run([input], in: scratch, output: "plain.jsonl", errors: nil)
        let compressed = try PipelineRun.run([input], in: scratch, output: "out.jsonl.\(format)", errors: nil)
        #expect(compressed.output == plain.output)
        #expect(!plain.output.isEmpty)
        let raw = try #require(scratch.read("out.jsonl.\(format)"))
        #expect(CompressionFormat.fromMagic(raw[...]) == (format == "gz" ? .gzip : .zstd))
        // The errors go beside the output, uncompressed: out.errors.jsonl.
        let errors = try jsonLines(try #require(scratch.read("out.errors.jsonl")))
        #expect(errors.count == 1 && errors.first?["line"] as? Int == 1501)
        #expect(scratch.read("plain.errors.jsonl") == scratch.read("out.errors.jsonl"))
    }

    // MARK: Directory output

    @Test func directoryOutputMirrorsTheInputTree() throws {
        let scratch = Scratch("dir")
        var rng = TestRandom("directoryOutputMirrorsTheInputTree")
        let x = generatedRecords(40, rng: &rng).joined(separator: "\n") + "\n"
        let b = generatedRecords(700, rng: &rng).joined(separator: "\n") + "\nbad line\n"
        scratch.write("in/a/x.jsonl", x)
        scratch.write("in/b.ndjson", b)
        scratch.write("in/a/c/y.txt", "A whole text file.\nSecond line.\n")
        scratch.write("in/empty.jsonl", "")
        let plainZ = scratch.write("z-plain.jsonl", x)
        scratch.write("in/z.jsonl.gz", try tool(["gzip", "-c", plainZ]))
        scratch.write("in/ignored.csv", "a,b\n")

        var options = PipelineOptions()
        options.inputs = try InputExpander.expand([scratch.path("in")])
        options.output = .directory(scratch.path("out") + "/")
        options.threads = 2
        let summary = try Pipeline(annotator: try Annotator(configuration: AnnotatorConfiguration()), options: options).run()
        #expect(scratch.files(under: "out") == ["a/c/y.jsonl", "a/x.jsonl", "b.jsonl", "empty.jsonl", "z.jsonl.gz"])
        #expect(summary.statistics.errors == 1)
        // The errors of a directory output go to DIR.errors.jsonl.
        let errors = try jsonLines(try #require(scratch.read("out.errors.jsonl")))
        #expect(errors.map { $0["source"] as? String } == [scratch.path("in/b.ndjson")])
        // Each output equals a run on that file alone.
        for (input, output) in [("in/a/x.jsonl", "out/a/x.jsonl"), ("in/b.ndjson", "out/b.jsonl"), ("in/a/c/y.txt", "out/a/c/y.jsonl")] {
            let single = try PipelineRun.run([scratch.path(input)], in: scratch, output: "single.jsonl", errors: "single.err")
            #expect(scratch.read(output) == single.output, "\(output)")
        }
        #expect(scratch.read("out/empty.jsonl") == [])
        #expect(try tool(["gzip", "-dc", scratch.path("out/z.jsonl.gz")]) == scratch.read("out/a/x.jsonl"))
        #expect(!scratch.files().contains { ($0 as NSString).lastPathComponent.hasPrefix(".") }, "no temporary file is left")
    }

    // MARK: Offsets

    @Test func offsetUnitsAgreeOnNonASCIIText() throws {
        let scratch = Scratch("offsets")
        let texts = [
            "Zürich’s café ☕ opened 2 März 2023; 😀👍🏽 東京で会議 naïve e\u{301} Ǆ \u{10FFFF}.",
            "👩‍👩‍👧‍👦 family, Санкт-Петербург, שלום, 北京 2024年。Next sentence here!",
            "plain ASCII only. Two sentences.",
        ]
        var lines: [String] = []
        for t in texts {
            var w = JSONWriter()
            w.string(t)
            lines.append("{\"text\":" + String(decoding: w.bytes, as: UTF8.self) + "}")
        }
        let input = scratch.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        var byUnit: [OffsetUnit: [Line]] = [:]
        for unit in OffsetUnit.allCases {
            byUnit[unit] = try PipelineRun.run([input], in: scratch, output: "\(unit).jsonl", errors: "\(unit).err") { config, _ in
                config.offsets = unit
            }.records
        }
        let annotator = try Annotator(configuration: AnnotatorConfiguration())
        for (i, text) in texts.enumerated() {
            let doc = try annotator.annotate(text)
            let expectedTokens = doc.tokens.map { doc.string($0.start, $0.end) }
            let expectedSentences = doc.sentences.map { doc.string($0.start, $0.end) }
            #expect(expectedTokens.count > 5)
            for unit in OffsetUnit.allCases {
                let r = byUnit[unit]![i]
                func slice(_ s: Int, _ e: Int) -> String {
                    switch unit {
                    case .codepoint: String(String.UnicodeScalarView(Array(text.unicodeScalars)[s..<e]))
                    case .utf16: String(decoding: Array(text.utf16)[s..<e], as: UTF16.self)
                    case .utf8: String(decoding: Array(text.utf8)[s..<e], as: UTF8.self)
                    }
                }
                #expect(r.tokens.map { slice($0.start, $0.end) } == expectedTokens, "\(unit) tokens of text \(i)")
                #expect(r.sentences.map { slice($0.start, $0.end) } == expectedSentences, "\(unit) sentences of text \(i)")
            }
        }
        // ASCII text has the same offsets in every unit.
        #expect(byUnit[.utf8]![2].bytes == byUnit[.codepoint]![2].bytes)
        #expect(byUnit[.utf16]![2].bytes == byUnit[.codepoint]![2].bytes)
    }

    // MARK: Files

    @Test func outputFileIsReplacedAtomically() throws {
        let scratch = Scratch("atomic")
        let input = scratch.write("in.jsonl", #"{"text":"New content."}"# + "\n")
        scratch.write("out.jsonl", "old content\n")
        let before = try FileManager.default.attributesOfItem(atPath: scratch.path("out.jsonl"))[.systemFileNumber] as? NSNumber
        let o = try PipelineRun.run([input], in: scratch, errors: nil)
        #expect(o.records.first?.string("text") == "New content.")
        let after = try FileManager.default.attributesOfItem(atPath: scratch.path("out.jsonl"))[.systemFileNumber] as? NSNumber
        #expect(before != nil && before != after, "a new file was renamed into place, not the old one rewritten")
        #expect(scratch.files() == ["in.jsonl", "out.jsonl"], "no temporary file is left: \(scratch.files())")

        // A run stopped before it completes leaves the old file as it was, and beside it the
        // partial output and the checkpoint for --resume.
        scratch.write("kept.jsonl", "old content\n")
        var options = PipelineOptions()
        options.inputs = try InputExpander.expand([input])
        options.output = .file(scratch.path("kept.jsonl"))
        let pipeline = Pipeline(annotator: try Annotator(configuration: AnnotatorConfiguration()), options: options)
        pipeline.requestStop("interrupted", signal: 15)
        let summary = try pipeline.run()
        #expect(summary.signal == 15)
        #expect(scratch.read("kept.jsonl") == Array("old content\n".utf8))
        #expect(scratch.files() == [".kept.jsonl.glean-partial", "in.jsonl", "kept.jsonl", "kept.jsonl.glean-checkpoint", "out.jsonl"],
                "only the partial output and the checkpoint are left: \(scratch.files())")
    }

    @Test func errorsFileBesideTheOutputAndNeverDeleted() throws {
        let scratch = Scratch("errors-file")
        let bad = scratch.write("bad.jsonl", "{\"text\":\"ok\"}\nnot json\n")
        let good = scratch.write("good.jsonl", "{\"text\":\"ok\"}\n")
        let o = try PipelineRun.run([bad], in: scratch, output: "out.jsonl", errors: nil)
        #expect(o.summary.statistics.errors == 1)
        let errors = try jsonLines(try #require(scratch.read("out.errors.jsonl")))
        #expect(errors.map { $0["line"] as? Int } == [2])
        // A later run without errors writes no errors file and leaves the old one as it was
        // (Glean never deletes a file it did not create in this run; its summary says 0 failed).
        let before = scratch.read("out.errors.jsonl")
        let clean = try PipelineRun.run([good], in: scratch, output: "out.jsonl", errors: nil)
        #expect(clean.summary.errorsDescription == nil)
        #expect(scratch.read("out.errors.jsonl") == before)
    }

    @Test func emptyInputGivesAnEmptyOutputFile() throws {
        let scratch = Scratch("empty")
        let empty = scratch.write("empty.jsonl", "")
        let blanks = scratch.write("blanks.jsonl", "\n\n  \n\r\n")
        for (input, name) in [(empty, "a"), (blanks, "b")] {
            let o = try PipelineRun.run([input], in: scratch, output: "\(name).jsonl", errors: "\(name).err")
            #expect(scratch.read("\(name).jsonl") == [])
            #expect(o.summary.statistics.records == 0 && o.summary.statistics.errors == 0)
            #expect(!scratch.exists("\(name).err"))
        }
    }

    @Test func recordLanguageOverridesTheDefault() throws {
        let scratch = Scratch("lang")
        let input = scratch.write("in.jsonl", """
            {"text":"don't stop"}
            {"text":"don't stop","lang":"fr"}
            {"text":"don't stop","lang":"en"}

            """)
        let r = try PipelineRun.run([input], in: scratch) { config, _ in config.defaultLanguage = "en" }.records
        #expect(r.map { $0.tokens.count } == [3, 2, 3])
        let fr = try PipelineRun.run([input], in: scratch, output: "fr.jsonl") { config, _ in config.defaultLanguage = "fr" }.records
        #expect(fr.map { $0.tokens.count } == [2, 2, 3])
    }

    @Test func textFilesWholeOrByLine() throws {
        let scratch = Scratch("text")
        let content = "First line here.\r\nSecond line.\n\nFourth, after a blank.\nno final LF"
        let input = scratch.write("doc.txt", content)
        let whole = try PipelineRun.run([input], in: scratch, output: "whole.jsonl", errors: "whole.err")
        #expect(whole.records.count == 1)
        #expect(whole.records.first?.string("text") == content)
        // Records made from text files carry their file (and their line with --lines).
        #expect(whole.records.first?.keys == ["text", "file", "tokens", "sents", "ents"])
        #expect(whole.records.first?.string("file") == input)
        let byLine = try PipelineRun.run([input], in: scratch, output: "lines.jsonl", errors: "lines.err") { _, options in
            options.textLines = true
        }
        #expect(byLine.records.map { $0.string("text") } == ["First line here.", "Second line.", "Fourth, after a blank.", "no final LF"])
        #expect(byLine.records.map { $0.raw("line") } == ["1", "2", "4", "5"])
        // Invalid UTF-8 in a text file is repaired with a warning.
        let broken = scratch.write("broken.txt", Array("bad ".utf8) + [0xFF] + Array(" byte".utf8))
        let r = try #require(try PipelineRun.run([broken], in: scratch, output: "broken.jsonl", errors: "broken.err").records.first)
        #expect(r.string("text") == "bad \u{FFFD} byte")
        #expect(r.warnings.contains { $0["stage"] == "decode" })
    }
}
