import Foundation
import Glean
import GleanTestSupport
import Testing

/// `--shard K/N` through the library: the N shares are disjoint, cover every record, keep the
/// input order, and give each record exactly the output and error record of an unsharded run.
struct ShardingTests {
    // MARK: Parsing

    @Test(arguments: [("0/1", 0, 1), ("0/4", 0, 4), ("3/4", 3, 4), ("6/7", 6, 7), ("99/100", 99, 100)])
    func parsesKOverN(text: String, k: Int, n: Int) throws {
        let shard = try Shard(parsing: text)
        #expect(shard.index == k && shard.count == n)
        #expect(shard.description == text)
    }

    @Test(arguments: ["", "1", "4/4", "5/4", "-1/4", "1/0", "0/-2", "a/b", "1/2/3", "1/", "/2", " 1/2"])
    func refusesWhatIsNotKOverN(text: String) {
        #expect(throws: ConfigurationError.self) { try Shard(parsing: text) }
    }

    @Test func automaticUnitIsByFileWhenEveryShardCanHaveAFile() throws {
        let shard = try Shard(parsing: "1/3")
        #expect(shard.resolved(inputs: 1).unit == .record)
        #expect(shard.resolved(inputs: 2).unit == .record)
        #expect(shard.resolved(inputs: 3).unit == .file)
        #expect(shard.resolved(inputs: 10).unit == .file)
        #expect(try Shard(parsing: "0/2", unit: .file).resolved(inputs: 1).unit == .file)
        #expect(try Shard(parsing: "0/2", unit: .record).resolved(inputs: 9).unit == .record)
    }

    /// Every (input, line) belongs to exactly one of the N shards, for every unit.
    @Test func sharesPartitionEveryLine() throws {
        for n in 1...8 {
            for unit in [ShardUnit.file, .record] {
                let shards = try (0..<n).map { try Shard(index: $0, count: n, unit: unit) }
                for file in 0..<10 {
                    for line in 1...40 {
                        let owners = shards.filter { $0.owns(fileIndex: file) && $0.owns(line: line, fileIndex: file) }
                        #expect(owners.count == 1, "N=\(n) \(unit) file \(file) line \(line): \(owners.map(\.description))")
                    }
                }
            }
        }
    }

    // MARK: Sharded runs against the unsharded run

    /// The same corpus as one file and as several, blank lines and bad records included (the
    /// end of the thread-invariance corpus: several batches, every kind of record).
    static func corpus(files: Int, in scratch: Scratch) -> [String] {
        let lines = Array(PipelineTests.invarianceCorpus().suffix(1600))
        if files == 1 { return [scratch.write("all.jsonl", lines.joined(separator: "\n") + "\n")] }
        let per = (lines.count + files - 1) / files
        return (0..<files).map { f in
            let part = lines[min(lines.count, f * per)..<min(lines.count, (f + 1) * per)]
            return scratch.write("parts/p\(f).jsonl", part.joined(separator: "\n") + "\n")
        }
    }

    @Test(arguments: [1, 4])
    func shardsTogetherEqualTheUnshardedRun(files: Int) throws {
        let scratch = Scratch("shards-\(files)")
        let inputs = Self.corpus(files: files, in: scratch)
        let whole = try PipelineRun.run(inputs, in: scratch, output: "whole.jsonl", errors: "whole.errors.jsonl")
        #expect(whole.summary.statistics.errors > 0)
        for n in [1, 2, 3, 7] {
            var outputs: [[ArraySlice<UInt8>]] = []
            var errors: [[ArraySlice<UInt8>]] = []
            for k in 0..<n {
                let run = try PipelineRun.run(inputs, in: scratch, output: "s\(k)of\(n).jsonl", errors: "s\(k)of\(n).errors.jsonl") { _, options in
                    options.shard = try! Shard(index: k, count: n).resolved(inputs: inputs.count)
                }
                outputs.append(Self.lines(run.output))
                errors.append(Self.lines(run.errors))
            }
            let label = "\(files) input(s), N=\(n)"
            Self.expectPartition(outputs, of: Self.lines(whole.output), label + " records")
            // Error records keep the source and absolute line of the unsharded run.
            Self.expectPartition(errors, of: Self.lines(whole.errors), label + " errors")
        }
    }

    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { $0 }
    }

    /// The shares hold every line of `whole` exactly once, and each share keeps `whole`'s order:
    /// each one is a subsequence of it, and their merge by position is `whole` itself.
    static func expectPartition(_ shares: [[ArraySlice<UInt8>]], of whole: [ArraySlice<UInt8>], _ label: String,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        var taken = [Bool](repeating: false, count: whole.count)
        for (k, share) in shares.enumerated() {
            // Greedy subsequence match: each line of the share at the next unused equal line of whole.
            var position = 0
            for line in share {
                while position < whole.count, taken[position] || whole[position] != line { position += 1 }
                guard position < whole.count else {
                    Issue.record("\(label): shard \(k) holds a line that is not in the unsharded output in this order, or holds it twice: \(String(decoding: line.prefix(200), as: UTF8.self))",
                                 sourceLocation: sourceLocation)
                    return
                }
                taken[position] = true
            }
        }
        let missing = taken.indices.filter { !taken[$0] }
        #expect(missing.isEmpty, "\(label): \(missing.count) lines of the unsharded output are in no shard (first: line \(missing.first.map { $0 + 1 } ?? 0))",
                sourceLocation: sourceLocation)
        #expect(shares.map(\.count).reduce(0, +) == whole.count, "\(label): line counts", sourceLocation: sourceLocation)
    }

    @Test func byFileAShardOpensOnlyItsFiles() throws {
        let scratch = Scratch("shard-files")
        let inputs = (0..<6).map { scratch.write("f\($0).jsonl", "{\"id\":\($0),\"text\":\"File \($0).\"}\n") }
        let shard = try Shard(parsing: "1/3").resolved(inputs: inputs.count)
        #expect(shard.unit == .file)
        let run = try PipelineRun.run(inputs, in: scratch, output: "s.jsonl", errors: nil) { _, options in
            options.shard = shard
            // Input 5 is shard 2's: were it opened, the run would fail.
            options.inputs[5].path = scratch.path("does-not-exist.jsonl")
        }
        #expect(run.records.map { $0.raw("id") } == ["1", "4"])
    }
}
