import Foundation
@testable import Glean
import GleanTestSupport
import Testing

/// The parts of the DocBin printer that can be checked without spaCy: its hash and symbol ids
/// (values computed by spaCy 3.8's `spacy.strings.hash_string` and `StringStore.add`) and its
/// MessagePack encoding (examples from the MessagePack specification). Tests/python/test_printers.py
/// loads the files with spaCy itself.
struct PrinterSpacyTests {
    static let hashes: [(String, UInt64)] = [
        ("Sydney", 64914885292384134), ("a", 11901859001352538922), ("né", 13135192905976770328),
        ("東京", 9360021637096476946), ("", 14313749767032693980), ("abcdefgh", 17751780907874141760),
        ("abcdefghi", 13885881106499164936), (String(repeating: "x", count: 17), 16970747057724827452),
    ]

    @Test(arguments: hashes)
    func murmurHashIsSpacys(text: String, hash: UInt64) {
        #expect(MurmurHash64A.hash(Array(text.utf8)) == hash)
    }

    @Test func symbolsHaveSpacysIds() {
        #expect(SpacyPrinter.stringID([]) == 0)
        #expect(SpacyPrinter.stringID(Array("PERSON".utf8)) == 380)
        #expect(SpacyPrinter.stringID(Array("X".utf8)) == 101)
        #expect(SpacyPrinter.stringID(Array("Sydney".utf8)) == 64914885292384134)
        #expect(SpacySymbols.table.count == 457)
        #expect(Set(SpacySymbols.table.map(\.1)).count == SpacySymbols.table.count)
    }

    static let messagePackExamples: [(String, (inout MessagePackWriter) -> Void, [UInt8])] = [
        ("fixint", { $0.uint(5) }, [0x05]),
        ("uint8", { $0.uint(200) }, [0xCC, 0xC8]),
        ("uint16", { $0.uint(452) }, [0xCD, 0x01, 0xC4]),
        ("uint32", { $0.uint(70000) }, [0xCE, 0x00, 0x01, 0x11, 0x70]),
        ("uint64", { $0.uint(1 << 40) }, [0xCF, 0, 0, 1, 0, 0, 0, 0, 0]),
        ("fixstr", { $0.string("abc") }, [0xA3, 0x61, 0x62, 0x63]),
        ("str8", { $0.string(String(repeating: "a", count: 32)) }, [0xD9, 32] + Array(repeating: 0x61, count: 32)),
        ("bin8", { $0.binary([1, 2]) }, [0xC4, 2, 1, 2]),
        ("bin16", { $0.binary([UInt8](repeating: 7, count: 300)) }, [0xC5, 0x01, 0x2C] + [UInt8](repeating: 7, count: 300)),
        ("fixmap", { $0.mapHeader(1); $0.string("k"); $0.bool(true) }, [0x81, 0xA1, 0x6B, 0xC3]),
        ("array16", { $0.arrayHeader(16) }, [0xDC, 0x00, 0x10]),
        ("fixarray", { $0.arrayHeader(0) }, [0x90]),
    ]

    @Test func messagePackEncodings() {
        for (name, write, expected) in Self.messagePackExamples {
            var m = MessagePackWriter()
            write(&m)
            #expect(m.bytes == expected, "\(name)")
        }
    }

    /// One DocBin per output; an empty corpus still gives a DocBin.
    @Test func directoryModeWritesOneDocBinPerInput() throws {
        let scratch = Scratch("spacy-dir")
        scratch.write("in/a.jsonl", #"{"text":"Paris in June."}"# + "\n")
        scratch.write("in/sub/b.txt", "Berlin in May.")
        scratch.write("in/empty.jsonl", "")
        var config = AnnotatorConfiguration()
        config.outputFormat = .spacy
        var options = PipelineOptions()
        options.inputs = try InputExpander.expand([scratch.path("in")])
        options.output = .directory(scratch.path("out/"))
        let summary = try Pipeline(annotator: try Annotator(configuration: config), options: options).run()
        #expect(summary.statistics.records == 2)
        #expect(scratch.files(under: "out") == ["a.spacy", "empty.spacy", "sub/b.spacy"])
        // A zlib stream (RFC 1950): CMF 0x78, and the header's check bits.
        for f in scratch.files(under: "out") {
            let bytes = try #require(scratch.read("out/" + f))
            #expect(bytes.count > 2 && bytes[0] == 0x78 && (UInt16(bytes[0]) << 8 | UInt16(bytes[1])) % 31 == 0)
        }
    }
}

/// Which printer an output gets: by `--output-format`, or by the output's extension.
struct OutputFormatTests {
    static let choices: [(String?, String?, OutputFormat?)] = [
        (nil, nil, .jsonl), (nil, "out.jsonl", .jsonl), (nil, "out.jsonl.gz", .jsonl), (nil, "/dev/null", .jsonl),
        (nil, "train.spacy", .spacy), (nil, "ents.csv", .entities(.csv)), (nil, "ents.tsv.zst", .entities(.tsv)),
        (nil, "E.CSV", .entities(.csv)), ("compact", "out.jsonl", .compact), ("entities", nil, .entities(.jsonl)),
        ("entities", "e.jsonl", .entities(.jsonl)), ("entities", "e.csv", .entities(.csv)), ("spacy", "x.spacy", .spacy),
        ("spacy", nil, .spacy),
        // Refused: extensions no printer claims, contradictions, a compressed DocBin, unknown names.
        (nil, "out.parquet", nil), (nil, "out.xlsx", nil), (nil, "out.xlsx.gz", nil), ("jsonl", "out.spacy", nil),
        ("spacy", "out.csv", nil), ("entities", "x.spacy", nil), (nil, "x.spacy.gz", nil), ("yaml", nil, nil),
    ]

    @Test(arguments: choices)
    func chosenByNameOrExtension(name: String?, path: String?, expected: OutputFormat?) {
        let got = try? OutputFormat(name: name, outputPath: path)
        #expect(got == expected)
    }
}
