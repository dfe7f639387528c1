/// Why a pattern file was rejected, with everything its author needs to find the fault.
///
/// `description` reads like a compiler diagnostic:
/// `dates.yaml:12: pattern 'iso-date': PCRE2: missing closing parenthesis at offset 14 in the regex`.
/// Pattern files are checked completely before any document is read.
public struct PatternFileError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kinds of fault in a pattern file.
    public enum Kind: Sendable, Equatable {
        /// The file could not be read.
        case unreadable(String)
        /// The file is not valid YAML (or JSON), or its structure is wrong (not a list of mappings).
        case syntax(String)
        /// A key that a pattern may not have.
        case unknownKey(String)
        /// A required key (`name`, `label`, `regex`) is missing or empty.
        case missingKey(String)
        /// A key has a value of the wrong kind (e.g. `priority: high`).
        case invalidValue(key: String, message: String)
        /// A key given twice in one pattern.
        case duplicateKey(String)
        /// Two patterns with one name (in one file, or across the files of a set).
        case duplicateName(firstFile: String, firstLine: Int?)
        /// PCRE2 rejected the regex: its message and the offset (UTF-8 code units) in the regex.
        case regex(message: String, offset: Int)
        /// `group` names a capture group that the regex does not have.
        case unknownGroup(String)
        /// An example or counter-example of the pattern fails: what was expected and found.
        case example(String)
    }

    /// The file, as it was given.
    public var file: String
    /// The 1-based line in the file, when known.
    public var line: Int?
    /// The pattern's name, when known.
    public var pattern: String?
    public var kind: Kind

    public init(file: String, line: Int?, pattern: String?, kind: Kind) {
        self.file = file
        self.line = line
        self.pattern = pattern
        self.kind = kind
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if let pattern { s += "pattern '\(pattern)': " }
        switch kind {
        case .unreadable(let m): s += "cannot read the file: \(m)"
        case .syntax(let m): s += m
        case .unknownKey(let k):
            s += "unknown key '\(k)' (allowed: \(PatternDefinition.allowedKeys.joined(separator: ", ")))"
        case .missingKey(let k): s += "missing key '\(k)'"
        case .invalidValue(let k, let m): s += "invalid value for '\(k)': \(m)"
        case .duplicateKey(let k): s += "key '\(k)' given twice"
        case .duplicateName(let f, let l):
            s += "duplicate pattern name (first defined at \(f)\(l.map { ":\($0)" } ?? ""))"
        case .regex(let m, let o): s += "PCRE2: \(m) at offset \(o) in the regex"
        case .unknownGroup(let g): s += "group '\(g)' does not exist in the regex"
        case .example(let m): s += m
        }
        return s
    }
}
