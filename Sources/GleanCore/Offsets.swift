/// The unit of the offsets written in the output record.
///
/// `codepoint` (the default) is what Python's `str` slicing and spaCy use; `utf16` is what
/// JavaScript, Java and CoreNLP use; `utf8` is byte offsets. For "né 5": `5` is at code point 3,
/// UTF-16 unit 3, UTF-8 byte 4.
public enum OffsetUnit: String, Sendable, CaseIterable {
    case codepoint, utf16, utf8
}

/// Converts UTF-8 byte offsets of one text into the output unit.
///
/// For ASCII text, and for the `utf8` unit, it is the identity and costs nothing. Otherwise it
/// holds the text (shared, not copied, when given as an array) and the unit count at every
/// 16th byte, built once per document: a lookup adds the units of at most 15 bytes. Memory is
/// a quarter of the text's size, not four times it as a table per byte would be. An offset
/// inside a character maps to the character's start. For "né 5" in code points: 0 -> 0, 2
/// (inside "é") -> 1, 4 -> 3.
public struct OffsetMapper {
    private let text: [UInt8]
    private let blocks: [Int32]?
    private let utf16: Bool
    static let blockShift = 4

    public init(text: UnsafeBufferPointer<UInt8>, unit: OffsetUnit) {
        if unit == .utf8 || UTF8Validation.isASCII(text) {
            self.init(identity: ())
        } else {
            self.init(text: Array(text), unit: unit, checked: true)
        }
    }

    /// The same for a text held in an array: the mapper shares its storage.
    public init(text: [UInt8], unit: OffsetUnit) {
        let ascii = unit == .utf8 || text.withUnsafeBufferPointer { UTF8Validation.isASCII($0) }
        if ascii { self.init(identity: ()) } else { self.init(text: text, unit: unit, checked: true) }
    }

    private init(identity: ()) {
        text = []
        blocks = nil
        utf16 = false
    }

    private init(text: [UInt8], unit: OffsetUnit, checked: Bool) {
        self.text = text
        utf16 = unit == .utf16
        let n = text.count
        var b = [Int32](repeating: 0, count: (n >> Self.blockShift) + 1)
        let mask = (1 << Self.blockShift) - 1
        var units: Int32 = 0
        var i = 0
        text.withUnsafeBufferPointer { t in
            while i < n {
                let c = t[i]
                let len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4
                // Each block start inside this character gets the units before it.
                var k = i
                while k < i + len && k <= n {
                    if k & mask == 0 { b[k >> Self.blockShift] = units }
                    k += 1
                }
                units += (unit == .utf16 && len == 4) ? 2 : 1
                i += len
            }
            if n & mask == 0 { b[n >> Self.blockShift] = units }
        }
        blocks = b
    }

    @inline(__always)
    public func callAsFunction(_ byteOffset: Int) -> Int {
        guard let blocks else { return byteOffset }
        return text.withUnsafeBufferPointer { t in
            let n = t.count
            let start = byteOffset & ~((1 << Self.blockShift) - 1)
            var units = Int(blocks[start >> Self.blockShift])
            // A block that starts inside a character: count from that character's end.
            if start < n, t[start] & 0xC0 == 0x80 { units += weight(of: start, in: t) }
            // Characters that start in [start, byteOffset).
            var j = start
            let end = min(byteOffset, n)
            while j < end {
                let c = t[j]
                if c & 0xC0 != 0x80 { units += utf16 && c >= 0xF0 ? 2 : 1 }
                j += 1
            }
            // Inside a character: its start, not past it.
            if byteOffset < n, t[byteOffset] & 0xC0 == 0x80 { units -= weight(of: byteOffset, in: t) }
            return units
        }
    }

    /// Units of the character holding the continuation byte at `i` (its lead is at most 3 back).
    @inline(__always)
    private func weight(of i: Int, in t: UnsafeBufferPointer<UInt8>) -> Int {
        var lead = i - 1
        while lead > 0, t[lead] & 0xC0 == 0x80 { lead -= 1 }
        return utf16 && lead >= 0 && t[lead] >= 0xF0 ? 2 : 1
    }
}
