import Foundation
import GleanCore
import GleanTestSupport
import Testing
@testable import GleanGazetteer

/// Crafted `.glz` files: changed on purpose and given a recomputed checksum, so that only the
/// structural checks stand between them and the matcher. Each is refused with a reason, or (for
/// random changes that keep the structure) loads and matches without crashing.
@Suite struct CraftedFileTests {
    static func resign(_ bytes: inout [UInt8]) {
        for k in 0..<8 { bytes[GLZ.checksumOffset + k] = 0 }
        let sum = bytes.withUnsafeBytes { GLZ.imageChecksum($0.baseAddress!, $0.count) }
        for k in 0..<8 { bytes[GLZ.checksumOffset + k] = UInt8(truncatingIfNeeded: sum >> (8 * UInt64(k))) }
    }

    static func put32(_ bytes: inout [UInt8], _ offset: Int, _ v: UInt32) {
        for k in 0..<4 { bytes[offset + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
    }

    static func get32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    static func get64(_ bytes: [UInt8], _ offset: Int) -> Int {
        Int((0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) })
    }

    /// The load error of `bytes` after `change` and a fresh checksum.
    static func crafted(_ change: (inout [UInt8]) -> Void) throws -> String? {
        var bytes = try CompiledFileTests.compiled()
        change(&bytes)
        resign(&bytes)
        return try CompiledFileTests.loadError(bytes)
    }

    static var sections: [Int] { get throws { let b = try CompiledFileTests.compiled(); return (0..<6).map { get64(b, GLZ.sectionsOffset + 8 * $0) } } }

    @Test func aResignedCopyLoads() throws {
        #expect(try Self.crafted { _ in } == nil)
    }

    @Test func noEntries() throws {
        // The entry count set to zero: the nodes still point at entries.
        #expect(try Self.crafted { Self.put32(&$0, GLZ.entryCountOffset, 0) } != nil)
        // A file that is consistently empty is refused too.
        let tokenize = try makeTokenizer()
        let empty = try GazetteerCompiler.compile([], options: GazetteerCompileOptions(), tokenize: tokenize).image
        #expect(try CompiledFileTests.loadError(empty)?.contains("no entries") == true)
    }

    @Test func countsAndLinks() throws {
        let s = try Self.sections
        let cases: [(String, (inout [UInt8]) -> Void)] = [
            ("fewer nodes", { Self.put32(&$0, GLZ.nodeCountOffset, Self.get32($0, GLZ.nodeCountOffset) - 1) }),
            ("more names", { Self.put32(&$0, GLZ.nameCountOffset, Self.get32($0, GLZ.nameCountOffset) + 1) }),
            ("probe length", { Self.put32(&$0, GLZ.longestProbeOffset, Self.get32($0, GLZ.slotCountOffset)) }),
            ("first-token filter cleared", { b in for k in s[4]..<s[5] { b[k] = 0 } }),
            ("entry label out of range", { Self.put32(&$0, s[2] + 16, 0xFFFF) }),
            ("alias outside the pool", { Self.put32(&$0, s[2] + 4, 0x7FFF_FFFF) }),
            ("label outside the pool", { Self.put32(&$0, s[3], 0x7FFF_FFFF) }),
            ("root with entries", { Self.put32(&$0, s[1] + 4, 2) }),
            ("node entry run shifted", { Self.put32(&$0, s[1] + 8 + 8, Self.get32($0, s[1] + 8 + 8) + 1) }),
        ]
        for (name, change) in cases {
            #expect(try Self.crafted(change) != nil, "\(name)")
        }
    }

    @Test func slotsPointingAnywhere() throws {
        let bytes = try CompiledFileTests.compiled()
        let s = try Self.sections
        let slotCount = Int(Self.get32(bytes, GLZ.slotCountOffset))
        let used = (0..<slotCount).filter { Self.get32(bytes, s[0] + 16 * $0 + 12) != 0 }
        for slot in used {
            for child: UInt32 in [0, 1, 0x3FFF_FFFF, 0xFFFF_FFFF] {
                #expect(try Self.crafted { Self.put32(&$0, s[0] + 16 * slot + 12, child) } != nil, "slot \(slot) child \(child)")
            }
            // A parent after its child.
            #expect(try Self.crafted { Self.put32(&$0, s[0] + 16 * slot + 8, 0x3FFF_FFFF) } != nil, "slot \(slot)")
        }
    }

    /// Random bytes changed, the checksum recomputed: refused, or loaded and matched safely.
    @Test func randomResignedChangesNeverCrash() throws {
        let bytes = try CompiledFileTests.compiled()
        let tokenize = try makeTokenizer()
        var doc = Document("Sydney, New York, Georgia and the Euro in New York City, sydney GEORGIA")
        try tokenize(&doc)
        var rng = TestRandom("CraftedFileTests.randomResignedChangesNeverCrash")
        var loaded = 0
        for _ in 0..<600 {
            var damaged = bytes
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                damaged[Int.random(in: 16..<damaged.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            Self.resign(&damaged)
            guard let g = try? Gazetteer(image: damaged) else { continue }
            loaded += 1
            var spans: [Span] = []
            g.findMatches(in: doc, into: &spans)
            _ = g.info
            for s in spans { #expect(s.start >= 0 && s.start < s.end && s.end <= doc.text.count) }
            if let automaton = GazetteerAutomaton.build(g.image, threshold: 0) {
                var viaAutomaton: [Span] = []
                _ = g.image.findMatches(text: doc.text, tokens: doc.tokens, allowed: nil, cache: nil, names: nil, spansCache: nil,
                                        into: &viaAutomaton, automaton: automaton)
                for s in viaAutomaton { #expect(s.start >= 0 && s.start < s.end && s.end <= doc.text.count) }
            }
        }
        #expect(loaded > 0, "some changes (in strings, keys) keep the structure")
    }
}
