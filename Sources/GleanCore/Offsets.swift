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
/// holds a table with one entry per byte, built once per document.
public struct OffsetMapper {
    private let table: [Int32]?

    public init(text: UnsafeBufferPointer<UInt8>, unit: OffsetUnit) {
        if unit == .utf8 || UTF8Validation.isASCII(text) {
            table = nil
            return
        }
        var t = [Int32](repeating: 0, count: text.count + 1)
        var units: Int32 = 0
        var i = 0
        let n = text.count
        while i < n {
            let c = text[i]
            let len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4
            for k in 0..<len where i + k <= n { t[i + k] = units }
            units += (unit == .utf16 && len == 4) ? 2 : 1
            i += len
        }
        t[n] = units
        table = t
    }

    @inline(__always)
    public func callAsFunction(_ byteOffset: Int) -> Int {
        guard let table else { return byteOffset }
        return Int(table[byteOffset])
    }
}
