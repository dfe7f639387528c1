import ArgumentParser
import Foundation
import GleanPatterns

struct BenchTmp: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-patterns")
    @Argument var file: String
    @Option var rounds = 5
    @Option var patterns: [String] = []
    func run() throws {
        let data = try String(contentsOfFile: file, encoding: .utf8)
        let texts = data.split(separator: "\n").map { Array($0.utf8) }
        let set = patterns.isEmpty ? try PatternSet.defaultPack() : try PatternSet(files: patterns)
        let r = set.benchmark(texts: texts, rounds: rounds)
        print(String(format: "%.1f MB/s  bytes=%d spans=%d", r.mbPerSecond, r.bytes, r.spans))
        for (n, s) in r.perPattern { print(String(format: "%8.2f ms  %8.0f MB/s  ", s * 1000, Double(r.bytes)/1e6/s) + n) }
    }
}

struct DumpTmp: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dump-patterns")
    @Argument var file: String
    func run() throws {
        let data = try String(contentsOfFile: file, encoding: .utf8)
        let set = try PatternSet.defaultPack()
        for line in data.split(separator: "\n") {
            let bytes = Array(line.utf8)
            let (spans, _) = set.matches(in: String(line))
            for s in spans {
                let a = max(0, s.matchStart - 25), b = min(bytes.count, s.matchEnd + 15)
                let ctx = String(decoding: bytes[a..<s.matchStart], as: UTF8.self) + "[[" + String(decoding: bytes[s.matchStart..<s.matchEnd], as: UTF8.self) + "]]" + String(decoding: bytes[s.matchEnd..<b], as: UTF8.self)
                print("\(s.label)\t\(s.name)\t\(ctx)")
            }
        }
    }
}

struct Root: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "glean", subcommands: [PatternsCommand.self, BenchTmp.self, DumpTmp.self])
}
Root.main()
