import Foundation

/// A list of the common words of a language, to drop gazetteer aliases that are everyday words.
///
/// Built from a word list such as Debian's `wamerican` (`/usr/share/dict/american-english`), one
/// word per line. An alias is common when its case-folded form is a lowercase word of the list,
/// unless the alias is written with a capital and the list also has it, spelled exactly so, as a
/// proper noun. So "And", "Most", "Aid" and "the" are common, while "Nice", "Reading" and "Mobile"
/// (which the list also holds capitalised) are kept.
public struct CommonWords: Sendable {
    /// Debian's American English word list (package `wamerican`).
    public static let defaultPath = "/usr/share/dict/american-english"

    private var lowercaseWords: Set<String> = []
    private var properNouns: Set<String> = []
    public private(set) var source: String

    public init(contentsOf path: String = CommonWords.defaultPath) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GazetteerSourceError(file: path, line: 0,
                                       reason: "cannot read the word list (on Debian: apt-get install wamerican)")
        }
        self.init(words: String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init), source: path)
    }

    public init(words: [String], source: String = "(list)") {
        self.source = source
        let folding = TextFolding(caseMode: .fold)
        for word in words {
            let w = word.trimmingCharacters(in: .whitespaces)
            if w.isEmpty { continue }
            if UnicodeFolding.hasCapital(w) { properNouns.insert(w) } else { lowercaseWords.insert(folding.fold(w)) }
        }
    }

    /// Whether `alias` is a common word (see the type's description).
    public func isCommon(_ alias: String) -> Bool {
        let folded = TextFolding(caseMode: .fold).fold(alias.trimmingCharacters(in: .whitespaces))
        guard lowercaseWords.contains(folded) else { return false }
        return !(UnicodeFolding.hasCapital(alias) && properNouns.contains(alias))
    }

    public var count: Int { lowercaseWords.count }
}
