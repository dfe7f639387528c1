import GleanIO
import GleanPatterns
import GleanSegment

/// Versions of Glean and of the libraries it runs on, for `--version` and summaries.
public enum GleanVersion {
    public static let glean = "0.1.0"
    public static var icu: String { ICUVersion.icu }
    public static var unicode: String { ICUVersion.unicode }
    public static var pcre2: String { PatternSet.pcre2Version }
    public static var zlib: String { BlockCompressor.zlibVersion }
    public static var zstd: String { BlockCompressor.zstdVersion }

    /// "glean 0.1.0 (ICU 72.1, Unicode 15.0, PCRE2 10.42 2022-12-11, zlib 1.2.13, zstd 1.5.4)".
    public static var line: String {
        "glean \(glean) (ICU \(icu), Unicode \(unicode), PCRE2 \(pcre2), zlib \(zlib), zstd \(zstd))"
    }
}
