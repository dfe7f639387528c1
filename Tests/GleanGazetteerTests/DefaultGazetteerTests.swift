import Foundation
import GleanCore
import Testing
@testable import GleanGazetteer

/// The default gazetteer (Models/gazetteers/default.tsv) on the sample news corpus.
@Suite(.serialized) struct DefaultGazetteerTests {
    static func sampleDocuments(tokenize: NameTokenizer) throws -> [Document] {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("corpora/sample/news.jsonl"))
        var docs: [Document] = []
        for line in data.split(separator: 10) where !line.isEmpty {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any],  // skips the record with a lone surrogate
                  let text = object["text"] as? String else { continue }
            var doc = Document(text, lang: object["lang"] as? String ?? "en")
            try tokenize(&doc)
            docs.append(doc)
        }
        return docs
    }

    static func defaultEntries() throws -> [GazetteerEntry] {
        try GazetteerSources.read(path: repositoryRoot.appendingPathComponent("Models/gazetteers/default.tsv").path)
    }

    @Test func modelsAreFoundFromTheEnvironment() {
        let url = GazetteerModels.locate(environment: ["GLEAN_MODELS": "/somewhere/Models"])
        #expect(url?.path == "/somewhere/Models")
        let fromBuild = GazetteerModels.locate(environment: [:], executable: repositoryRoot.appendingPathComponent(".build/release/glean").path)
        #expect(fromBuild?.standardizedFileURL.path == repositoryRoot.appendingPathComponent("Models").standardizedFileURL.path)
        #expect(GazetteerModels.defaultGazetteerPath(models: fromBuild)?.hasSuffix("gazetteers/default.tsv") == true)
    }

    @Test func matchesTheNaiveMatcherOnTheSampleCorpus() throws {
        let tokenize = try makeTokenizer()
        let entries = try Self.defaultEntries()
        let (g, report) = try Gazetteer.compile(entries, tokenize: tokenize)
        #expect(report.dropped.filter { $0.reason != .duplicate }.isEmpty)
        let naive = try NaiveMatcher(entries, folding: g.folding, tokenize: tokenize)
        let scratch = GazetteerScratch()
        var total = 0
        for doc in try Self.sampleDocuments(tokenize: tokenize) {
            var spans: [Span] = []
            g.findMatches(in: doc, into: &spans, scratch: scratch)
            #expect(render(spans, in: doc) == render(naive.matches(doc), in: doc))
            total += spans.count
        }
        #expect(total > 100)
    }

    @Test func noAllLowercaseCommonWordOnTheSampleCorpus() throws {
        let tokenize = try makeTokenizer()
        let (g, _) = try Gazetteer.compile(try Self.defaultEntries(), tokenize: tokenize)
        let words = try CommonWords()
        let lowercase = Set(try String(contentsOfFile: CommonWords.defaultPath, encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !UnicodeFolding.hasCapital($0) })
        var found: [String: String] = [:]
        for doc in try Self.sampleDocuments(tokenize: tokenize) {
            var spans: [Span] = []
            g.findMatches(in: doc, into: &spans)
            for s in ResolutionPolicy.longest.resolve(spans) {
                let text = doc.string(s.start, s.end)
                if lowercase.contains(text) || (words.isCommon(text) && !UnicodeFolding.hasCapital(text)) { found[text] = s.label }
            }
        }
        #expect(found.isEmpty, "all-lowercase common words matched: \(found)")
    }

    /// A leading article is no part of a place's name (the gold convention): the alias without it
    /// is kept, or left out where it is a common word.
    static let articleRows: [(text: String, places: [String])] = [
        ("They moved to the Bronx in May.", ["Bronx/GPE"]),
        ("Trade with the Netherlands grew.", ["Netherlands/GPE"]),
        ("The Netherlands won.", ["Netherlands/GPE"]),
        ("They drove through the valley to the colony.", []),
        ("The Colony and The Valley voted.", []),
    ]

    @Test func noAliasOpensWithAnArticle() throws {
        let entries = try Self.defaultEntries()
        #expect(!entries.contains { $0.name.hasPrefix("The ") || $0.name.hasPrefix("the ") })
        let tokenize = try makeTokenizer()
        let (g, _) = try Gazetteer.compile(entries, tokenize: tokenize)
        for r in Self.articleRows {
            var doc = Document(r.text)
            try tokenize(&doc)
            var spans: [Span] = []
            g.findMatches(in: doc, into: &spans)
            let got = ResolutionPolicy.longest.resolve(spans).map { doc.string($0.start, $0.end) + "/" + $0.label }
            #expect(got == r.places, "\(r.text)")
        }
    }

    @Test func knownPlaces() throws {
        let tokenize = try makeTokenizer()
        let (g, _) = try Gazetteer.compile(try Self.defaultEntries(), tokenize: tokenize)
        var doc = Document("Flights from Sydney's airport to New York and Tbilisi, Georgia, resumed; the euro fell.")
        try tokenize(&doc)
        var spans: [Span] = []
        g.findMatches(in: doc, into: &spans)
        let ents = ResolutionPolicy.longest.resolve(spans).map { doc.string($0.start, $0.end) + "/" + $0.label }
        #expect(ents.contains("Sydney/GPE") && ents.contains("New York/GPE") && ents.contains("Tbilisi/GPE") && ents.contains("Georgia/GPE"))
        let georgia = spans.first { doc.string($0.start, $0.end) == "Georgia" }
        #expect(georgia?.kbId == "ISO3166-1:GE")
        #expect(georgia?.kbIds.contains("ISO3166-2:US-GA") == true)
    }
}

@Suite struct DefaultGazetteerCacheTests {
    @Test func compiledOnceThenMapped() throws {
        let tokenize = try makeTokenizer()
        let cache = NSTemporaryDirectory() + "glean-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let models = repositoryRoot.appendingPathComponent("Models")
        let first = try GazetteerModels.openDefault(tokenizerIdentity: "test", tokenize: tokenize, models: models,
                                                    environment: ["XDG_CACHE_HOME": cache])
        let files = try FileManager.default.contentsOfDirectory(atPath: cache + "/glean").filter { !$0.hasSuffix(".validated") }
        #expect(files.count == 1 && files[0].hasPrefix("default-") && files[0].hasSuffix(".glz"))
        let second = try GazetteerModels.openDefault(tokenizerIdentity: "test", tokenize: tokenize, models: models,
                                                     environment: ["XDG_CACHE_HOME": cache])
        #expect(second?.origin.hasPrefix(cache) == true)
        #expect(first?.checksum == second?.checksum)
        // Another tokenizer gets its own compiled file.
        _ = try GazetteerModels.openDefault(tokenizerIdentity: "other", tokenize: tokenize, models: models,
                                            environment: ["XDG_CACHE_HOME": cache])
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache + "/glean").filter { $0.hasSuffix(".glz") }.count == 2)
        // Both the compiled and the mapped default apply to English documents only.
        #expect(first?.applies(toLanguage: "en") == true && first?.applies(toLanguage: "en-AU") == true)
        #expect(first?.applies(toLanguage: "de") == false && second?.applies(toLanguage: "de") == false)
    }
}

/// Classes of errors the default gazetteer's build avoids on news text, one row each: the text,
/// then every entity the gazetteer yields after overlaps are resolved ("text/LABEL/kb_id").
@Suite(.serialized) struct DefaultGazetteerNewsTableTests {
    static let rows: [(text: String, expected: [String])] = [
        // Nationalities are NORP (countryinfo demonyms), plurals included.
        ("Pakistani troops met Afghans near Kabul.", ["Pakistani/NORP/ISO3166-1:PK", "Afghans/NORP/ISO3166-1:AF", "Kabul/GPE/GeoNames:1138958"]),
        // A language name that is a nationality is NORP, never LANGUAGE; other languages stay.
        ("Japanese officials spoke Hindi.", ["Japanese/NORP/ISO3166-1:JP", "Hindi/LANGUAGE/ISO639-3:hin"]),
        // "Somali" is also a region of Ethiopia: the nationality wins.
        ("Somali pirates", ["Somali/NORP/ISO3166-1:SO"]),
        // Religious groups.
        ("Muslim and Jewish leaders", ["Muslim/NORP/", "Jewish/NORP/"]),
        // Abbreviations of country names, and the Palestinian territories.
        ("The US and the UK sent aid to the Gaza Strip and the West Bank.",
         ["US/GPE/ISO3166-1:US", "UK/GPE/ISO3166-1:GB", "Gaza Strip/GPE/ISO3166-1:PS", "West Bank/GPE/ISO3166-1:PS"]),
        // Cities named like common first names or surnames are left out (US Census lists) ...
        ("George Jackson met Florence Henderson.", []),
        // ... but not when they are large or capitals, nor first-level states of big countries.
        ("Houston, Victoria and Washington", ["Houston/GPE/GeoNames:4699066", "Victoria/GPE/ISO3166-2:AU-VIC", "Washington/GPE/ISO3166-2:US-WA"]),
        // Alternate names that are translations made of English words ("White House", Casablanca).
        ("The White House said so.", []),
        // Cities named after a landform are regions (LOC).
        ("Fires in the Blue Mountains", ["Blue Mountains/LOC/GeoNames:6615604"]),
        // A subdivision whose name is a word in British spelling ("Centre", Haiti).
        ("The Centre for Policy", []),
        // Currency names are not in the default gazetteer (Models/gazetteers/currencies.tsv).
        ("The euro and the Swiss franc fell.", ["Swiss/NORP/ISO3166-1:CH"]),
    ]

    @Test func newsTable() throws {
        let tokenize = try makeTokenizer()
        let (g, _) = try Gazetteer.compile(try DefaultGazetteerTests.defaultEntries(), tokenize: tokenize)
        for row in Self.rows {
            var doc = Document(row.text)
            try tokenize(&doc)
            var spans: [Span] = []
            g.findMatches(in: doc, into: &spans)
            let ents = ResolutionPolicy.longest.resolve(spans).sorted { $0.start < $1.start }
                .map { "\(doc.string($0.start, $0.end))/\($0.label)/\($0.kbId)" }
            #expect(ents == row.expected, "\(row.text)")
        }
    }

    /// The language restriction: "Der Zug" is a train in German, the Swiss town of Zug in an
    /// English sentence.
    @Test func englishOnly() throws {
        let tokenize = try makeTokenizer()
        let (g, _) = try Gazetteer.compile(try DefaultGazetteerTests.defaultEntries(), tokenize: tokenize)
        let english = g.restricted(toLanguages: GazetteerModels.defaultLanguages)
        for (lang, expected) in [("de", 0), ("de-CH", 0), ("en", 1), ("EN-gb", 1)] {
            var doc = Document("Der Zug nach Zug", lang: lang)
            try tokenize(&doc)
            var spans: [Span] = []
            english.findMatches(in: doc, into: &spans, scratch: GazetteerScratch())
            #expect(Set(spans.map { doc.string($0.start, $0.end) }).count == expected, "lang \(lang)")
            var unrestricted: [Span] = []
            g.findMatches(in: doc, into: &unrestricted)
            #expect(!unrestricted.isEmpty)
        }
    }
}

/// The validation stamp beside the cached default gazetteer: the structure of bytes this build
/// validated is not validated again, the checksum always is.
@Suite struct ValidationStampTests {
    /// A Models folder whose default gazetteer is a few names, and a cache directory.
    static func folders() throws -> (models: URL, cache: String) {
        let root = URL(fileURLWithPath: NSTemporaryDirectory() + "glean-stamp-\(UUID().uuidString)")
        let gazetteers = root.appendingPathComponent("Models/gazetteers")
        try FileManager.default.createDirectory(at: gazetteers, withIntermediateDirectories: true)
        try Data("New York\tGPE\t5128581\nSydney\tGPE\t2147714\nTbilisi\tGPE\t611717\n".utf8)
            .write(to: gazetteers.appendingPathComponent("default.tsv"))
        return (root.appendingPathComponent("Models"), root.path + "/cache")
    }

    static func open(_ f: (models: URL, cache: String)) throws -> Gazetteer? {
        try GazetteerModels.openDefault(tokenizerIdentity: "test", tokenize: try makeTokenizer(), models: f.models,
                                        environment: ["GLEAN_CACHE_DIR": f.cache])
    }

    static func cached(_ f: (models: URL, cache: String)) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: f.cache).filter { $0.hasSuffix(".glz") }
        #expect(names.count == 1)
        return f.cache + "/" + names[0]
    }

    @Test("the compiled file's stamp names its checksum; a damaged file is still caught and rebuilt; another build's stamp counts for nothing")
    func stampAndDamage() throws {
        let f = try Self.folders()
        defer { try? FileManager.default.removeItem(at: f.models.deletingLastPathComponent()) }
        let first = try #require(try Self.open(f))
        let path = try Self.cached(f)
        #expect(GazetteerValidationStamp(compiledFile: path).checksum == first.checksum)
        #expect(try Self.open(f)?.checksum == first.checksum)

        // A changed byte: the checksum fails whatever the stamp says, and the file is compiled again.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let good = bytes
        bytes[bytes.count - 3] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: GazetteerFileError.self) { try Gazetteer.load(path: path, validatedChecksum: first.checksum) }
        let rebuilt = try #require(try Self.open(f))
        #expect(rebuilt.checksum == first.checksum)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == good)

        // A stamp of another build (or garbled) is no stamp: the next open validates and rewrites it.
        let stampPath = path + ".validated"
        try Data("glz-validated 1|/elsewhere/glean|1|0|\(String(first.checksum, radix: 16))\n".utf8).write(to: URL(fileURLWithPath: stampPath))
        #expect(GazetteerValidationStamp(compiledFile: path).checksum == nil)
        try Data("garbled".utf8).write(to: URL(fileURLWithPath: stampPath))
        #expect(GazetteerValidationStamp(compiledFile: path).checksum == nil)
        #expect(try Self.open(f)?.checksum == first.checksum)
        #expect(GazetteerValidationStamp(compiledFile: path).checksum == first.checksum)
    }

    @Test("the validation is skipped for the stamped checksum only: a resigned file with a broken structure is refused under any other")
    func skippedOnlyForTheValidatedChecksum() throws {
        var bytes = try CompiledFileTests.compiled()
        let s = try CraftedFileTests.sections
        CraftedFileTests.put32(&bytes, s[2] + 4, 0x7FFF_FFFF)   // an alias outside the string pool
        CraftedFileTests.resign(&bytes)
        let path = try CompiledFileTests.temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let checksum = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[GLZ.checksumOffset + $1]) << (8 * UInt64($1)) }
        for other: UInt64? in [nil, checksum ^ 1, 0] {
            #expect(throws: GazetteerFileError.self) { try Gazetteer.load(path: path, validatedChecksum: other) }
        }
        #expect(throws: GazetteerFileError.self) { try Gazetteer.load(path: path) }
        // What the stamp trades away, on purpose: bytes it vouches for are not validated again.
        #expect((try? Gazetteer.load(path: path, validatedChecksum: checksum)) != nil)
    }
}
