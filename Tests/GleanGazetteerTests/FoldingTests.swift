import Testing
@testable import GleanGazetteer

/// Expected values are Python 3.11's `unicodedata.normalize('NFKC', s).casefold()`.
@Suite struct FoldingTests {
    static let pythonCasefold: [(String, String)] = [
        ("Straße", "strasse"),
        ("İstanbul", "i\u{307}stanbul"),
        ("ΟΔΟΣ", "οδοσ"),
        ("ὈΔΥΣΣΕΎΣ", "ὀδυσσεύσ"),
        ("ＡＢＣ１２", "abc12"),
        ("\u{FB01}ne", "fine"),
        ("Zürich", "zürich"),
        ("ǅemal", "džemal"),
        ("東京", "東京"),
        ("\u{149}", "\u{2BC}n"),
        ("", ""),
        ("New York", "new york"),
    ]

    @Test(arguments: pythonCasefold)
    func caseFoldingMatchesPython(input: String, expected: String) {
        #expect(TextFolding(caseMode: .fold).fold(input) == expected)
        #expect(TextFolding(caseMode: .smart).fold(input) == expected)
    }

    @Test func exactLeavesTextAlone() {
        #expect(TextFolding(caseMode: .exact).fold("Straße ＡＢＣ") == "Straße ＡＢＣ")
    }

    @Test func accentFolding() {
        #expect(TextFolding(caseMode: .fold, foldAccents: true).fold("ZÜRICH") == "zurich")
        #expect(TextFolding(caseMode: .fold, foldAccents: true).fold("İstanbul") == "istanbul")
        #expect(TextFolding(caseMode: .exact, foldAccents: true).fold("Zürich São") == "Zurich Sao")
        #expect(TextFolding(caseMode: .fold, foldAccents: true).fold("Ørsted") == "ørsted")  // no mark to drop
    }

    @Test func originsMapFoldedBytesBack() {
        let (folded, origins) = UnicodeFolding.foldWithOrigins(Array("A\u{FB01}ß".utf8), options: 1)
        #expect(String(decoding: folded, as: UTF8.self) == "afiss")
        #expect(origins == [0, 1, 1, 4, 4])
        let combining = UnicodeFolding.foldWithOrigins(Array("e\u{301}X".utf8), options: 3)
        #expect(String(decoding: combining.folded, as: UTF8.self) == "ex")
        #expect(combining.origins == [0, 3])
    }

    @Test func capitals() {
        #expect(UnicodeFolding.hasCapital("Zürich"))
        #expect(UnicodeFolding.hasCapital("ÉCOLE"))
        #expect(UnicodeFolding.hasCapital("ǅ"))
        #expect(!UnicodeFolding.hasCapital("zürich"))
        #expect(!UnicodeFolding.hasCapital("東京"))
    }

    @Test func asciiFastPathAgreesWithICU() {
        for word in ["Sydney", "NEW", "o'Neil", "x-Ray_9", "abc"] {
            let fast = TokenKey.key(Array(word.utf8), options: 1).key
            let viaICU = UnicodeFolding.fold(Array(word.utf8), options: 1).withUnsafeBufferPointer {
                TokenKey.hashBytes($0.baseAddress!, $0.count)
            }
            #expect(fast == viaICU, "\(word)")
        }
        // A non-ASCII token folds through ICU to the same key as its folded spelling.
        #expect(TokenKey.key(Array("STRASSE".utf8), options: 1).key == TokenKey.key(Array("Straße".utf8), options: 1).key)
    }
}
