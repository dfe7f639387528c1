@testable import Glean
import GleanCore
import GleanNames
import GleanTestSupport
import Testing

/// The entity stages over windows of a large document (``EntityWindows``): the cuts cover every
/// token once, in windows of `target` to 1.25 × `target` bytes, at the best break the rule
/// allows. With the default stages that look only at nearby tokens (patterns and gazetteer), a
/// document annotated in windows has exactly the entities and candidates of the same document
/// annotated whole; with the names stage, whose evidence is the window's ("Ntini" standing
/// alone elsewhere), each window's entities are those of the window annotated as a document of
/// its own, with propagation over the whole document.
struct EntityWindowsTests {
    /// The public news corpus (or the sample) as documents of `count` articles joined by
    /// `separator`.
    static func documents(separator: String, articlesPerDocument: Int, documents: Int) throws -> [String] {
        let articles = try CorpusTexts.load(limitPerFile: 120).prefix(240).map { String(decoding: $0, as: UTF8.self) }
        try #require(articles.count >= articlesPerDocument)
        return (0..<documents).map { d in
            (0..<articlesPerDocument).map { articles[(d * articlesPerDocument + $0) % articles.count] }.joined(separator: separator)
        }
    }

    /// Workers with the default models that annotate whole and in windows of 3,000 bytes (a
    /// worker is one thread's: each test case makes its own).
    static func workers(names: Bool = false, propagation: Bool = true) throws -> (whole: AnnotatorWorker, windows: AnnotatorWorker) {
        let stages = try ModelSelection().stages().filter { names || $0.name != "names" }
        func worker(window: Int) throws -> AnnotatorWorker {
            var configuration = AnnotatorConfiguration()
            configuration.stages = stages
            configuration.emit = [.tokens, .sents, .ents, .spans]
            configuration.entityWindowBytes = window
            configuration.propagation = propagation
            return try Annotator(configuration: configuration).makeWorker()
        }
        return (try worker(window: 0), try worker(window: 3_000))
    }

    /// With every default stage: the windowed document's entities are, window by window, those
    /// of the window's text annotated as a document of its own (offsets moved), then propagated
    /// over the whole document; and its stage candidates are the windows' own.
    @Test func eachWindowIsAnnotatedAsItsOwnDocument() throws {
        let windowed = try Self.workers(names: true)
        let alone = try Self.workers(names: true, propagation: false).whole
        var cutDocuments = 0
        for text in try Self.documents(separator: "\n\n", articlesPerDocument: 20, documents: 3) {
            var doc = Document(text)
            try windowed.windows.annotate(&doc)
            let cuts = EntityWindows.cuts(text: doc.text, tokens: doc.tokens, sentences: doc.sentences, target: 3_000)
            if cuts.count > 1 { cutDocuments += 1 }
            var expected = Document(text)
            expected.tokens = doc.tokens
            expected.sentences = doc.sentences
            var names: [Span] = []
            for (k, range) in cuts.enumerated() {
                let start = k == 0 ? 0 : doc.tokens[range.lowerBound].start
                let end = k == cuts.count - 1 ? doc.text.count : doc.tokens[range.upperBound].start
                var part = Document(text: Array(doc.text[start..<end]))
                try alone.annotate(&part)
                #expect(part.tokens.count == range.count, "window \(k) tokenised alone as in the document")
                expected.entities += part.entities.map { EntityWindows.shifted($0, bytes: start, tokens: range.lowerBound) }
                names += part[group: "names"].map { EntityWindows.shifted($0, bytes: start, tokens: range.lowerBound) }
            }
            Propagation.apply(&expected)
            let sameEntities = doc.entities == expected.entities
            #expect(sameEntities, "\(Self.difference(doc.entities, expected.entities, in: doc))")
            let sameNames = doc[group: "names"] == names
            #expect(sameNames)
        }
        #expect(cutDocuments == 3)
    }

    @Test(arguments: ["\n\n", "\n", " "])
    func localStagesInWindowsGiveTheEntitiesOfTheWholeDocument(separator: String) throws {
        let workers = try Self.workers()
        var cutDocuments = 0
        for text in try Self.documents(separator: separator, articlesPerDocument: 20, documents: 6) {
            var whole = Document(text)
            var windowed = Document(text)
            try workers.whole.annotate(&whole)
            try workers.windows.annotate(&windowed)
            let cuts = EntityWindows.cuts(text: whole.text, tokens: whole.tokens, sentences: whole.sentences, target: 3_000)
            if cuts.count > 1 { cutDocuments += 1 }
            // Compared into a Bool first: a failed #expect on two arrays would print both whole.
            let sameTokens = windowed.tokens == whole.tokens && windowed.sentences == whole.sentences
            #expect(sameTokens, "tokens: \(windowed.tokens.count) against \(whole.tokens.count)")
            let sameEntities = windowed.entities == whole.entities
            #expect(sameEntities, "\(Self.difference(windowed.entities, whole.entities, in: whole))")
            for group in whole.spanGroups {
                let order: (Span, Span) -> Bool = { ($0.start, $0.end, $0.label, $0.name) < ($1.start, $1.end, $1.label, $1.name) }
                let a = windowed[group: group.name].sorted(by: order), b = group.spans.sorted(by: order)
                let same = a == b
                #expect(same, "group \(group.name): \(Self.difference(a, b, in: whole))")
            }
            let sameWarnings = windowed.warnings == whole.warnings
            #expect(sameWarnings)
        }
        #expect(cutDocuments == 6, "every document is long enough to be cut")
    }

    /// The entities only one side has, as text, for a failure message.
    static func difference(_ a: [Span], _ b: [Span], in doc: Document) -> String {
        func show(_ s: Span) -> String { "\(s.label) \(doc.string(s.start, s.end)) [\(s.start),\(s.end))" }
        let onlyA = a.filter { !b.contains($0) }.prefix(5).map(show)
        let onlyB = b.filter { !a.contains($0) }.prefix(5).map(show)
        return "windows only: \(onlyA); whole only: \(onlyB)"
    }

    /// Sentences are computed for the cuts, but not written unless asked for.
    @Test func sentencesForTheCutsAreNotEmitted() throws {
        var configuration = AnnotatorConfiguration()
        configuration.stages = try ModelSelection().stages()
        configuration.emit = [.tokens, .ents]
        configuration.entityWindowBytes = 4_000
        let worker = try Annotator(configuration: configuration).makeWorker()
        var doc = Document(try Self.documents(separator: " ", articlesPerDocument: 8, documents: 1)[0])
        try worker.annotate(&doc)
        #expect(doc.sentences.isEmpty)
        #expect(!doc.entities.isEmpty)
    }

    /// The cut rule on real and random texts, against a plain reading of it.
    @Test(arguments: [700, 4_096, 20_000])
    func cutsCoverEveryTokenAtTheBestBreak(target: Int) throws {
        var random = TestRandom("EntityWindows.cuts.\(target)")
        var texts = try Self.documents(separator: "\n\n", articlesPerDocument: 10, documents: 2)
        texts += try Self.documents(separator: " ", articlesPerDocument: 10, documents: 2)
        // Random words, spaces, terminators and line breaks; and one text without any space.
        let pieces = ["word", "Name", ".", "!", " ", " ", "  ", "\n", "\t", "東京", "3", "Mr.", "a"]
        for _ in 0..<6 {
            texts.append((0..<4_000).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &random)] }.joined())
        }
        texts.append(String(repeating: "東京大阪", count: 3_000))
        let segmenter = try Annotator(configuration: AnnotatorConfiguration()).makeWorker()
        for text in texts {
            var doc = Document(text)
            try segmenter.segmenter.segment(&doc, sentences: true)
            let windows = EntityWindows.cuts(text: doc.text, tokens: doc.tokens, sentences: doc.sentences, target: target)
            #expect(windows.first?.lowerBound == 0 && windows.last?.upperBound == doc.tokens.count, "\(random.label)")
            #expect(zip(windows, windows.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && !$0.isEmpty })
            #expect(windows.count > 1 || !EntityWindows.isCut(bytes: doc.text.count, target: target) || doc.tokens.count < 2)
            let sentenceStarts = Set(doc.sentences.map(\.firstToken))
            for (k, window) in windows.enumerated().dropLast() {
                let startByte = k == 0 ? 0 : doc.tokens[window.lowerBound].start
                let cut = window.upperBound
                let bytes = doc.tokens[cut].start - startByte
                #expect(bytes >= target && bytes < target + target / 4, "window \(k): \(bytes) bytes")
                // Tokens that could take the cut: from the first past `target` to the limit.
                let candidates = (window.lowerBound + 1..<doc.tokens.count).filter {
                    doc.tokens[$0].start >= startByte + target && doc.tokens[$0].start < startByte + target + target / 4
                }
                func afterSpace(_ j: Int) -> Bool { doc.tokens[j - 1].kind == .space }
                func afterLineBreak(_ j: Int) -> Bool {
                    afterSpace(j) && doc.text[doc.tokens[j - 1].start..<doc.tokens[j - 1].end].contains(0x0A)
                }
                if let best = candidates.first(where: afterLineBreak) {
                    #expect(cut == best, "window \(k): the first line break")
                } else if let best = candidates.first(where: sentenceStarts.contains) {
                    #expect(cut == best, "window \(k): the first sentence start")
                } else if let best = candidates.first(where: afterSpace) {
                    #expect(cut == best, "window \(k): the first space")
                } else {
                    #expect(cut == candidates.first, "window \(k): the first token past the target")
                }
            }
            if let last = windows.last, windows.count > 1 {
                let startByte = doc.tokens[last.lowerBound].start
                #expect(doc.text.count - startByte <= target + target / 2 || last.count == 1)
            }
        }
    }
}
