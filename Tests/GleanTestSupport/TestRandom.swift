import Foundation

/// A seeded generator (SplitMix64) for the random tests.
///
/// Each test gets a fixed seed derived from its name, so CI runs are reproducible; set
/// `GLEAN_TEST_SEED=<number>` to run with another seed, or `GLEAN_TEST_SEED=random` for a fresh
/// one each run. Every failure message names the seed (`seed: …`) so that a failure can be
/// replayed with `GLEAN_TEST_SEED=<that number>`.
public struct TestRandom: RandomNumberGenerator {
    public let seed: UInt64
    private var state: UInt64

    public init(_ name: String) {
        let env = ProcessInfo.processInfo.environment["GLEAN_TEST_SEED"]
        if env == "random" {
            seed = UInt64.random(in: 0 ... .max)
        } else if let env, let n = UInt64(env) {
            seed = n
        } else {
            // FNV-1a of the test's name: a different fixed stream per test.
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            seed = h
        }
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// "seed: N" for failure messages.
    public var label: String { "seed: \(seed) (rerun with GLEAN_TEST_SEED=\(seed))" }

    /// A random Unicode scalar, biased to what breaks JSON and UTF-8 code: controls, quotes,
    /// backslashes, slashes, DEL, Latin-1, BMP edges around the surrogates, noncharacters, BOM,
    /// line/paragraph separators, combining marks and astral characters (emoji included).
    public mutating func scalar() -> Unicode.Scalar {
        let v: UInt32
        switch Int.random(in: 0..<16, using: &self) {
        case 0, 1, 2: v = UInt32.random(in: 0x20...0x7E, using: &self)
        case 3: v = UInt32.random(in: 0x00...0x1F, using: &self)
        case 4: v = [0x22, 0x5C, 0x2F, 0x7F, 0x75, 0x20][Int.random(in: 0..<6, using: &self)]
        case 5: v = UInt32.random(in: 0x80...0x7FF, using: &self)
        case 6: v = UInt32.random(in: 0x800...0xD7FF, using: &self)
        case 7: v = UInt32.random(in: 0xE000...0xFFFF, using: &self)
        case 8: v = [0xD7FF, 0xE000, 0xFFFD, 0xFEFF, 0xFFFE, 0xFFFF, 0x2028, 0x2029, 0x0301, 0x200B, 0x85, 0xA0][Int.random(in: 0..<12, using: &self)]
        case 9: v = UInt32.random(in: 0x1F300...0x1FAFF, using: &self)
        case 10: v = UInt32.random(in: 0x10000...0x10FFFF, using: &self)
        case 11: v = [0x10000, 0x10FFFF, 0x1F600, 0x1F3FD, 0x20BB7][Int.random(in: 0..<5, using: &self)]
        case 12: v = UInt32.random(in: 0x4E00...0x9FFF, using: &self)
        case 13: v = UInt32.random(in: 0x0400...0x04FF, using: &self)
        default: v = UInt32.random(in: 0x61...0x7A, using: &self)
        }
        return Unicode.Scalar(v)!
    }

    public mutating func string(maxLength: Int = 24) -> String {
        var s = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &self) { s.append(scalar()) }
        return String(s)
    }
}
