import CICUShim
import GleanCore
import Foundation

/// Owns one ICU break iterator (see glean_icu.h). Invariant: the text passed to `setText` is kept
/// alive by the caller for as long as the breaker iterates over it.
final class Breaker {
    let handle: OpaquePointer

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    static func open(kind: Int32, locale: String) throws -> Breaker {
        var error: Int32 = 0
        guard let h = glean_breaker_open(kind, locale, &error) else {
            throw SegmenterError(description: "ICU could not open a break iterator for \(locale) (error \(error))")
        }
        return Breaker(handle: h)
    }

    func clone() throws -> Breaker {
        var error: Int32 = 0
        guard let h = glean_breaker_clone(handle, &error) else {
            throw SegmenterError(description: "ICU could not clone a break iterator (error \(error))")
        }
        return Breaker(handle: h)
    }

    /// Points the breaker at `text`; with `utf16`, ICU iterates over a UTF-16 copy (the same
    /// boundaries, in UTF-8 offsets; see `glean_breaker_set_text_utf16`).
    func setText(_ text: UnsafeBufferPointer<UInt8>, utf16: Bool = false) throws {
        let rc = text.withMemoryRebound(to: CChar.self) { p in
            utf16 ? glean_breaker_set_text_utf16(handle, p.baseAddress ?? UnsafePointer(bitPattern: 1), Int32(text.count))
                : glean_breaker_set_text(handle, p.baseAddress ?? UnsafePointer(bitPattern: 1), Int32(text.count))
        }
        if rc != 0 { throw SegmenterError(description: "ICU rejected the text (error \(rc))") }
    }

    deinit { glean_breaker_close(handle) }
}

/// The opened break iterators per language, shared by all threads; each thread's ``Segmenter``
/// clones them (opening `en@ss=standard` costs ~140 µs, cloning under 1 µs).
public final class SegmenterPrototypes: @unchecked Sendable {
    // An NSLock (a pthread mutex) rather than Synchronization.Mutex: ThreadSanitizer models it.
    private let lock = NSLock()
    private var table: [String: (word: Breaker, sentence: Breaker)] = [:]

    public init() {}

    /// A new segmenter for one thread.
    public func makeSegmenter() -> Segmenter { Segmenter(prototypes: self) }

    /// A language tag safe to hand to ICU: letters, digits, `_` and `-`, at most 16; otherwise "en".
    static func normalizedLanguage(_ lang: String) -> String {
        let ok = !lang.isEmpty && lang.utf8.count <= 16 && lang.utf8.allSatisfy {
            ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D
        }
        return ok ? String(lang.map { $0 == "-" ? "_" : $0 }) : "en"
    }

    func clones(for lang: String) throws -> (word: Breaker, sentence: Breaker) {
        try lock.withLock {
            let proto: (word: Breaker, sentence: Breaker)
            if let p = table[lang] {
                proto = p
            } else {
                proto = (try Breaker.open(kind: Int32(GLEAN_BREAK_WORD), locale: lang),
                         try Breaker.open(kind: Int32(GLEAN_BREAK_SENTENCE), locale: lang + "@ss=standard"))
                table[lang] = proto
            }
            return (try proto.word.clone(), try proto.sentence.clone())
        }
    }
}

/// The versions of the system ICU and the Unicode standard it implements.
public enum ICUVersion {
    public static var icu: String { String(cString: glean_icu_version()) }
    public static var unicode: String { String(cString: glean_icu_unicode_version()) }
}
