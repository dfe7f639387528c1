import Testing
@testable import GleanSegment

/// The eight-byte word-character test of the ASCII fast path against its byte table.
struct ASCIIWordCharsTests {
    /// Every ASCII byte, at every position of the eight, among word characters and among other
    /// bytes, is marked exactly when the byte table says it is not a word character.
    @Test func eightByteTestMatchesTheTable() {
        var mismatches: [String] = []
        for b in UInt8(0)..<0x80 {
            let isWord = ASCIIWordBreak.byteInfo[Int(b)] & ASCIIWordBreak.isWordChar != 0
            for position in 0..<8 {
                for filler in [UInt8(ascii: "a"), UInt8(ascii: " ")] {
                    var bytes = [UInt8](repeating: filler, count: 8)
                    bytes[position] = b
                    let word = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
                    let others = ASCIIWordChars.others(word)
                    for k in 0..<8 {
                        let marked = (others >> (8 * k + 7)) & 1 == 1
                        let expected = k == position ? !isWord : filler == UInt8(ascii: " ")
                        if marked != expected { mismatches.append("byte \(b) at \(position) among \(filler)s: byte \(k)") }
                    }
                    // Only the high bit of a byte is ever set.
                    if others & ~ASCIIWordChars.high != 0 { mismatches.append("byte \(b) at \(position): low bits set") }
                }
            }
        }
        #expect(mismatches == [])
    }
}
