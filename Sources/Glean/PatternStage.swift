import GleanCore
import GleanPatterns

/// The pattern stage: a ``PatternSet`` (PCRE2, JIT) run over each document, its matches widened
/// to token boundaries (`spans.patterns`).
public struct PatternStage: BenchmarkedStage {
    public let patterns: PatternSet
    public var name: String { "patterns (\(patterns.count) PCRE2 patterns)" }

    public init(patterns: PatternSet) {
        self.patterns = patterns
    }

    /// A checksum of the definitions (name, label, regex, flags, group, priority, lang, value).
    public var checksum: String {
        var hash = FNV1a()
        for d in patterns.definitions {
            for field in [d.name, d.label, d.regex, "\(d.flags.rawValue)", "\(d.group)", "\(d.priority)",
                          d.lang.joined(separator: ","), d.value?.rawValue ?? ""] {
                hash.add(field)
            }
        }
        return hash.description
    }

    public func makeWorker() throws -> any AnnotationStageWorker {
        Worker(patterns: patterns)
    }

    final class Worker: AnnotationStageWorker {
        let patterns: PatternSet
        let scratch: PatternScratch

        init(patterns: PatternSet) {
            self.patterns = patterns
            scratch = PatternScratch(for: patterns)
        }

        func annotate(_ document: inout Document) {
            patterns.apply(to: &document, scratch: scratch)
            TokenAlignment.expand(&document.patternSpans, tokens: document.tokens)
        }
    }

    public func benchmarkNotes(texts: [[UInt8]]) -> [BenchmarkNote] {
        let result = patterns.benchmark(texts: texts, rounds: 1)
        return result.slowest.map {
            BenchmarkNote(section: "slowest patterns (seconds over the corpus, one thread)", name: $0.name,
                          value: String(format: "%.4f s", $0.seconds))
        }
    }
}

/// FNV-1a, 64 bits: a small, stable checksum for summaries (not for security).
struct FNV1a: CustomStringConvertible {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ s: String) {
        for b in s.utf8 { value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        value = (value ^ 0xFF) &* 0x0000_0100_0000_01B3
    }

    var description: String { "fnv1a64:" + String(value, radix: 16) }
}

import Foundation
