import Foundation
import GleanCore
import GleanNames
import GleanSegment
import GleanTestSupport
import Testing

/// The lists of Models/names and a segmenter, shared by the tables.
enum Fixture {
    static let lists: NameLists = try! NameLists(directory: CorpusTexts.root.appendingPathComponent("Models/names"))
    static let finder = NameFinder(lists: lists)

    /// (label, surface) of the names candidates of `text`, with the places of `places` (surfaces)
    /// given as if the gazetteer had found them.
    static func find(_ text: String, places: [String] = [], withRule: Bool = false) throws -> [String] {
        var doc = Document(text)
        try Segmenter().segment(&doc, sentences: false)
        for p in places {
            guard let r = text.range(of: p) else { continue }
            let start = text.utf8.distance(from: text.startIndex, to: r.lowerBound)
            let end = start + p.utf8.count
            if let t = doc.tokens.firstIndex(where: { $0.start == start }), let u = doc.tokens.firstIndex(where: { $0.end == end }) {
                var s = Span(matchStart: start, matchEnd: end, label: "GPE", source: .gazetteer, name: p)
                s.firstToken = t
                s.endToken = u + 1
                doc.gazetteerSpans.append(s)
            }
        }
        return finder.find(in: doc).map { "\($0.label) \(doc.string($0.start, $0.end))" + (withRule ? " \($0.name)" : "") }
    }
}

@Suite struct NameFinderTables {
    /// Each rule: texts and the candidates they must give (all of them, in order).
    static let examples: [(rule: String, text: String, expected: [String])] = [
        ("given + capitalised", "The band was led by Henry Hudson yesterday.", ["PERSON Henry Hudson"]),
        ("place by its bearing", "The epicentre was in Burakin, 240 kilometres north-east of Perth.", ["GPE Burakin"]),
        ("place by its bearing", "A blaze at Spencer north of Sydney broke through.", ["GPE Spencer"]),
        ("place by its bearing", "Fires near Barrack Heights, some 10 km southwest of Wollongong.", ["GPE Barrack Heights"]),
        ("no bearing without of", "The fire at Spencer north was out.", []),
        ("no bearing after a capitalised word", "Premier Bob Carr, west of Sydney, said so.", ["PERSON Bob Carr"]),
        ("given + capitalised", "Wayne Arthurs and Todd Woodbridge will play.", ["PERSON Wayne Arthurs", "PERSON Todd Woodbridge"]),
        ("hyphenated given name", "Jan-Michael Gambill won the match.", ["PERSON Jan-Michael Gambill"]),
        ("given name of another country", "France's Arnaud Clement lost.", ["PERSON Arnaud Clement"]),
        ("given + initial + surname", "US president George W Bush said so.", ["PERSON George W Bush"]),
        ("given + roman numeral", "His successor, Frederick II Irontooth, ruled.", ["PERSON Frederick II Irontooth"]),
        ("given + roman numeral", "Sweden's King Carl XVI Gustaf spoke.", ["PERSON Carl XVI Gustaf"]),
        ("an acronym ends a person's name", "He played for Hertha BSC last season.", []),
        ("an acronym ends a person's name", "Goals for Paris SG came late.", []),
        ("an acronym ends a person's name", "a letter from Henry Hudson MP was read", ["PERSON Henry Hudson"]),
        ("a word with a period inside ends a person's name", "x@y.edu (Henry Hudson Eng.Sci.) writes", ["PERSON Henry Hudson"]),
        ("an accented given name is read plain", "the girlfriend Sofía Lugo spoke", ["PERSON Sofía Lugo"]),
        ("an accented given name is read plain", "a goal by José Fonte won", ["PERSON José Fonte"]),
        ("a word with a period inside ends a person's name", "a letter from Henry Hudson Ph.D was read", ["PERSON Henry Hudson"]),
        ("a final period is no period inside", "US president George W. Bush said so.", ["PERSON George W. Bush"]),
        ("initials", "It was written by J. R. R. Tolkien in Oxford.", ["PERSON J. R. R. Tolkien"]),
        ("particle", "a painting by Vincent van Gogh was sold", ["PERSON Vincent van Gogh"]),
        ("place given name + surname", "a party for Paris Hilton tonight", ["PERSON Paris Hilton"]),
        ("words after a title", "Qantas Chief Executive Geoff Dixon has expressed", ["PERSON Geoff Dixon"]),
        ("ORG before a corporate title", "after the talks, Qantas Chief Executive Geoff Dixon said", ["ORG Qantas", "PERSON Geoff Dixon"]),
        ("ORG before a corporate title", "said Telstra chairman Bob Mansfield today", ["ORG Telstra", "PERSON Bob Mansfield"]),
        ("words after a title", "President General Pervez Musharraf says", ["PERSON Pervez Musharraf"]),
        ("NORP from the dictionary", "inhabited by the Algonquian and Iroquois peoples", ["NORP Algonquian", "NORP Iroquois"]),
        ("religions NORP, churches ORG", "He converted to Hinduism and studied Sunni Islam; the Catholic Church said so.",
         ["NORP Hinduism", "NORP Sunni Islam", "ORG Catholic Church"]),
        ("title splits", "Liberal Party President Shane Stone said", ["ORG Liberal Party", "PERSON Shane Stone"]),
        ("end head EVENT", "veterans of the Korean War met", ["EVENT Korean War"]),
        ("end head with numeral", "After World War II, the city was divided.", ["EVENT World War II"]),
        ("hyphenated", "during the Second Anglo-Dutch War and after", ["EVENT Second Anglo-Dutch War"]),
        ("end head FAC", "a Test at the Adelaide Oval on Friday", ["FAC Adelaide Oval"]),
        ("end head FAC", "engineers at the Johnson Space Center said", ["FAC Johnson Space Center"]),
        ("end head FAC after a given name", "They stayed at the Hilton Hotel in Sydney.", ["FAC Hilton Hotel"]),
        ("end head ORG", "The Federal National Party has rejected it.", ["ORG Federal National Party"]),
        ("first head ORG", "analysts at the Institute for the Study of War said", ["ORG Institute for the Study of War"]),
        ("first head ORG", "a lecturer at the University of Canberra said", ["ORG University of Canberra"]),
        ("first head GPE", "the capital of the Kingdom of Prussia then", ["GPE Kingdom of Prussia"]),
        ("start head FAC", "Fort Nassau was built near Albany.", ["FAC Fort Nassau"]),
        ("LAW", "The state ratified the United States Constitution on that day.", ["LAW United States Constitution"]),
        ("LAW", "the Native Title Act was passed", ["LAW Native Title Act"]),
        ("LOC head", "settlers of the Hudson River Valley were", ["LOC Hudson River Valley"]),
        ("LOC list", "ships crossed the Mediterranean to Asia Minor", ["LOC Mediterranean", "LOC Asia Minor"]),
        ("ORG from the dictionary", "volunteers of the Red Cross and Greenpeace", ["ORG Red Cross", "ORG Greenpeace"]),
        ("WORK_OF_ART after cue", "with the track My Sweet Lord, although", ["WORK_OF_ART My Sweet Lord"]),
        ("WORK_OF_ART quoted", "he starred in the film \"The Third Man\" in 1949", ["WORK_OF_ART The Third Man"]),
        ("unknown name + surname", "Meanwhile, world number one Lleyton Hewitt says he", ["PERSON Lleyton Hewitt"]),
        ("unknown name + hyphenated surname", "she played with Arantxa Sanchez-Vicario in Perth", ["PERSON Arantxa Sanchez-Vicario"]),
        ("unknown pair whose second word stands alone elsewhere", "assisted by Makhaya Ntini at the end. The crowd saw Ntini fall.", ["PERSON Makhaya Ntini"]),
        ("place abbreviation", "ships sailed the St. Lawrence River to the lakes", ["LOC St. Lawrence River"]),
        ("end head LOC, plural", "the way westward to the other Great Lakes was blocked", ["LOC Great Lakes"]),
        ("end head LOC, plateau", "the state is on the Allegheny Plateau, which rises", ["LOC Allegheny Plateau"]),
        ("end head EVENT, expedition", "The Sullivan Expedition of 1778 destroyed villages", ["EVENT Sullivan Expedition"]),
        ("first head EVENT", "The Capture of Fort Ticonderoga provided the cannon", ["EVENT Capture of Fort Ticonderoga"]),
        ("LAW declaration", "expressed in the United States Declaration of Independence, including", ["LAW United States Declaration of Independence"]),
        ("LAW compact", "The Delaware River Basin Compact, signed in 1961", ["LAW Delaware River Basin Compact"]),
        ("GPE colonies", "representatives from across the Thirteen Colonies that set", ["GPE Thirteen Colonies"]),
        ("ambiguous given name at a sentence start, unknown surname, reporting verb", "It rained. Pat Rafter was forced to withdraw.", ["PERSON Pat Rafter"]),
        ("ambiguous given name at a sentence start, unknown surname, reporting verb", "Mark Ramprakash said he was tired.", ["PERSON Mark Ramprakash"]),
        ("ORG across and", "a case brought by the Australian Securities and Investments Commission against him", ["ORG Australian Securities and Investments Commission"]),
        ("ORG across and", "The Australian Food and Grocery Council said", ["ORG Australian Food and Grocery Council"]),
        ("epithet", "The city grew under Frederick the Great and Albert the Bear.", ["PERSON Frederick the Great", "PERSON Albert the Bear"]),
        ("strong particle after an unknown word", "Wernher von Braun was born in Wirsitz.", ["PERSON Wernher von Braun"]),
        ("Arabic article", "Abdel Aziz al-Rantissi and Ayman al-Zawahiri were named.", ["PERSON Abdel Aziz al-Rantissi", "PERSON Ayman al-Zawahiri"]),
        ("ORG head, end", "The British Antarctic Survey and the Australian Stock Exchange said", ["ORG British Antarctic Survey", "ORG Australian Stock Exchange"]),
    ]

    /// Texts that must give none of the listed candidates.
    static let counterExamples: [(rule: String, text: String, absent: [String])] = [
        ("a capitalised word alone", "Harrison withdrew from the limelight.", ["PERSON Harrison"]),
        ("given name alone", "his second wife Olivia, who saved him", ["PERSON Olivia"]),
        ("an accented word is read plain only with Latin-1 letters", "the girlfriend Sofıa Lugo spoke", ["PERSON Sofıa Lugo person:given"]),
        ("ambiguous given name at a sentence start", "Will Cabinet ministers agree?", ["PERSON Will Cabinet"]),
        ("one word before and", "talks between Israel and Palestinian Authority officials", ["ORG Israel and Palestinian Authority"]),
        ("a head ends the first part", "the Reserve Bank and Treasury Department agreed", ["ORG Reserve Bank and Treasury Department"]),
        ("a person before and", "John Smith and Labor Party members met", ["ORG John Smith and Labor Party"]),
        ("a title modifier before a name across and", "Senior Construction Forestry Mining and Energy Union officials said", ["ORG Senior Construction Forestry Mining and Energy Union"]),
        ("no head at the end", "the Australian Search and Rescue team", ["ORG Australian Search and Rescue"]),
        ("an ambiguous given name before an epithet", "Will the Greens win?", ["PERSON Will the Greens"]),
        ("an epithet that is a head", "Albert the Park was opened", ["PERSON Albert the Park"]),
        ("place before a strong particle", "the Brisbane van Driver said", ["PERSON Brisbane van Driver"]),
        ("a weak particle after an unknown word", "flights to Ciudad del Este and Puerto de la Cruz", ["PERSON Ciudad del Este", "PERSON Puerto de la Cruz"]),
        ("an Arabic article alone", "fighters of al-Qaeda were", ["PERSON al-Qaeda"]),
        ("ambiguous given name at a sentence start, no reporting verb", "Will Qantas survive the strike?", ["PERSON Will Qantas"]),
        ("place after an ambiguous given name at a sentence start", "Will Brisbane has no answer.", ["PERSON Will Brisbane"]),
        ("ambiguous given name at a sentence start, more words before the verb", "Pat Quokkaberg Partners said so.", ["PERSON Pat Quokkaberg", "PERSON Pat Quokkaberg Partners"]),
        ("place as given name", "the Sydney Swans won", ["PERSON Sydney Swans"]),
        ("no head alone", "The Party said no.", ["ORG Party"]),
        ("a month after a connector", "ratified the United States Constitution on July 26, 1788", ["LAW United States Constitution on July"]),
        ("a month after a connector", "the Treaty of May 1920", ["LAW Treaty of May"]),
        ("nationality inside an event", "veterans of the Korean War met", ["NORP Korean"]),
        ("a head after a connector ends only its own part", "Veterans of the Korean War met.", ["EVENT Veterans of the Korean War"]),
        ("stop words", "In New York today", ["LOC In New York"]),
        ("title is not part of a name", "President Rabbani has objected", ["PERSON President Rabbani"]),
        ("title is not part of a name", "Skipper Ingvall says his start tactics are easy.", ["PERSON Skipper Ingvall"]),
        ("a place after a title", "the King Street Mall", ["PERSON Street Mall"]),
        ("a pronoun after a work cue", "he would not play I said", ["WORK_OF_ART I"]),
        ("lower-case words", "the university party of the bank", ["ORG university", "ORG bank"]),
        ("a title's modifier is no ORG", "the Deputy Chief Executive John Smith said", ["ORG Deputy"]),
        ("a sentence start is no ORG", "Former chairman Bob Mansfield said", ["ORG Former"]),
        ("a surname before a title is no ORG", "when Smith chairman of the board", ["ORG Smith"]),
        ("unknown name + surname at a sentence start", "Lleyton Hewitt won.", ["PERSON Lleyton Hewitt"]),
        ("unknown pair, its second word only inside capitalised words elsewhere", "assisted by Makhaya Ntini at the end. The crowd saw Ntini Park.", ["PERSON Makhaya Ntini"]),
        ("unknown pair, its second word only at a sentence start elsewhere", "assisted by Makhaya Ntini at the end. Ntini fell.", ["PERSON Makhaya Ntini"]),
        ("a common noun after a determiner", "pressure on the Federal Government to act. Unions blame the Government for it.", ["PERSON Federal Government"]),
        ("a common noun after a determiner", "pressure on Federal Government ministers to act. Unions blame the Government for it.", ["PERSON Federal Government"]),
        ("unknown pair at a sentence start, its second word alone elsewhere", "Makhaya Ntini bowled. The crowd saw Ntini fall.", ["PERSON Makhaya Ntini"]),
        ("unknown name + surname after a capitalised word", "the Big Lleyton Hewitt show", ["PERSON Lleyton Hewitt"]),
        ("place before a surname", "a report by Brisbane Hewitt", ["PERSON Brisbane Hewitt"]),
        ("unknown name + surname after a preposition of place", "the finish line at Swan Hill and", ["PERSON Swan Hill"]),
        ("unknown name + surname after a preposition", "celebrated as Evacuation Day since", ["PERSON Evacuation Day"]),
        ("all capitals before a surname", "the NSW Hewitt report", ["PERSON NSW Hewitt"]),
        ("a surname that is an English word", "outside Kirribilli House yesterday, and Pilkem Ridge", ["PERSON Kirribilli House", "PERSON Pilkem Ridge"]),
        ("a place abbreviation is not an initial", "St. Kilda won the game", ["PERSON St. Kilda"]),
        ("a place abbreviation alone", "He lives on St. and walks", ["LOC St."]),
        ("an ambiguous given name is named so", "Will Smith sang and Mark Taylor spoke", ["PERSON Will Smith person:given"]),
    ]

    @Test(arguments: examples.indices)
    func example(_ i: Int) throws {
        let row = Self.examples[i]
        let places = row.rule.hasPrefix("place") ? ["Paris"] : []
        #expect(try Fixture.find(row.text, places: places) == row.expected, "\(row.rule): \(row.text)")
    }

    @Test(arguments: counterExamples.indices)
    func counterExample(_ i: Int) throws {
        let row = Self.counterExamples[i]
        let places = row.rule.hasPrefix("place") ? ["Sydney", "Brisbane"] : []
        let found = try Fixture.find(row.text, places: places) + (try Fixture.find(row.text, places: places, withRule: true))
        for a in row.absent { #expect(!found.contains(a), "\(row.rule): \(row.text) gave \(found)") }
    }

    /// Rule 6, region words: (text, places another stage found, candidates that must be there,
    /// candidates that must not).
    static let regions: [(text: String, places: [String], present: [String], absent: [String])] = [
        ("navigated as far as Central New York. While", ["New York"], ["LOC Central New York"], []),
        ("regions of Upstate New York include", ["New York"], ["LOC Upstate New York"], []),
        ("trade with Eastern Europe grew", ["Europe"], ["LOC Eastern Europe"], []),
        ("Greater Sydney is ringed by fires", ["Sydney"], ["GPE Greater Sydney"], []),
        ("the Western Australia police", ["Western Australia", "Australia"], [], ["LOC Western Australia"]),
        ("the Central Committee met", [], [], ["LOC Central Committee"]),
        ("in central New York", ["New York"], [], ["LOC central New York"]),
        ("Central  New York", ["New York"], [], ["LOC Central  New York"]),
        ("targets in the Gaza Strip and West Bank", ["Gaza Strip", "West Bank"], [], ["ORG Gaza Strip and West Bank"]),
    ]

    @Test(arguments: regions.indices)
    func region(_ i: Int) throws {
        let row = Self.regions[i]
        let found = try Fixture.find(row.text, places: row.places)
        for p in row.present { #expect(found.contains(p), "\(row.text) gave \(found)") }
        for a in row.absent { #expect(!found.contains(a), "\(row.text) gave \(found)") }
    }

    /// Every example of `heads.tsv` (its fourth column) is one candidate of the head's label.
    @Test func headExamples() throws {
        let url = CorpusTexts.root.appendingPathComponent("Models/names/heads.tsv")
        let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        var checked = 0
        for row in rows {
            let f = row.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count >= 4 else { continue }
            for example in f[3].split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !example.isEmpty {
                let found = try Fixture.find("They spoke of the \(example) then.")
                #expect(found.contains("\(f[1]) \(example)"), "heads.tsv \(f[0]): \(example) gave \(found)")
                checked += 1
            }
        }
        #expect(checked > 100)
    }
}

/// Rule 5 with what the document says elsewhere: a surname given after a title or role word
/// (a PERSON of the pattern stage, "Mr Shorten") counts as a known surname, and a plain given
/// name before a one-word place is a person ("Todd Woodbridge").
@Suite struct NameFinderDocumentEvidence {
    /// The names candidates of `text` with `titled` given as PERSON matches of the pattern stage
    /// (their last occurrence) and `places` as one-word GPEs of the gazetteer.
    static func find(_ text: String, titled: [String], places: [String]) throws -> [String] {
        var doc = Document(text)
        try Segmenter().segment(&doc, sentences: false)
        func offsets(_ p: String, last: Bool) -> (Int, Int)? {
            guard let r = last ? text.range(of: p, options: .backwards) : text.range(of: p) else { return nil }
            let start = text.utf8.distance(from: text.startIndex, to: r.lowerBound)
            return (start, start + p.utf8.count)
        }
        for p in titled {
            guard let (start, end) = offsets(p, last: true) else { continue }
            doc.patternSpans.append(Span(matchStart: start, matchEnd: end, label: "PERSON", source: .pattern, name: "person-title"))
        }
        for p in places {
            guard let (start, end) = offsets(p, last: false),
                  let t = doc.tokens.firstIndex(where: { $0.start == start }), let u = doc.tokens.firstIndex(where: { $0.end == end }) else { continue }
            var s = Span(matchStart: start, matchEnd: end, label: "GPE", source: .gazetteer, name: p)
            s.firstToken = t
            s.endToken = u + 1
            doc.gazetteerSpans.append(s)
        }
        return Fixture.finder.find(in: doc).map { "\($0.label) \(doc.string($0.start, $0.end))" }
    }

    /// (rule, text, titled, places, candidate): the candidate is found with the titled surnames
    /// and not without them (nil: with or without, the candidate is `present`).
    static let rows: [(rule: String, text: String, titled: [String], places: [String], candidate: String, present: Bool)] = [
        ("ambiguous given name at a sentence start, surname given after a title",
         "Bill Shorten of the union spoke. Mr Shorten said no.", ["Shorten"], [], "PERSON Bill Shorten", true),
        ("unknown pair at a sentence start, surname given after a role word",
         "Saeb Erakat spoke first. Later negotiator Erakat said no.", ["Erakat"], [], "PERSON Saeb Erakat", true),
        ("unknown pair ending in a place, surname given after a title",
         "batsmen Makhaya Ntini and Nanti Hayward frustrated them. Mr Hayward said.", ["Hayward"], ["Hayward"], "PERSON Nanti Hayward", true),
        ("a given name that is a place, surname given after a title",
         "finalised with Kerry Nettle from the Greens. Senator Nettle said.", ["Nettle"], ["Kerry"], "PERSON Kerry Nettle", true),
        ("an ambiguous given name at a sentence start stays out without a known surname",
         "Will Qantas survive? Mr Smith said yes.", ["Smith"], [], "PERSON Will Qantas", false),
        ("a title before a surname the document knows is not part of the name",
         "he said. Skipper Ingvall says his tactics are easy.", ["Ingvall"], [], "PERSON Skipper Ingvall", false),
    ]

    @Test(arguments: rows.indices)
    func documentSurname(_ i: Int) throws {
        let r = Self.rows[i]
        let with = try Self.find(r.text, titled: r.titled, places: r.places)
        let without = try Self.find(r.text, titled: [], places: r.places)
        #expect(with.contains(r.candidate) == r.present, "\(r.rule): \(with)")
        #expect(!without.contains(r.candidate), "\(r.rule), no title: \(without)")
    }

    /// (text, places, candidates present, candidates absent).
    static let placeSurnames: [(text: String, places: [String], present: [String], absent: [String])] = [
        ("However Todd Woodbridge hit out at the media.", ["Woodbridge"], ["PERSON Todd Woodbridge"], []),
        ("following Daryl Cullinan's non-selection", ["Cullinan"], ["PERSON Daryl Cullinan"], []),
        ("the road to Albert Goulburn is closed", ["Goulburn"], [], ["PERSON Albert Goulburn"]),
        ("Will Sydney cope with it?", ["Sydney"], [], ["PERSON Will Sydney"]),
        ("a match between Sydney Brisbane and Perth", ["Sydney", "Brisbane"], [], ["PERSON Sydney Brisbane"]),
        ("a visit by Henry Goulburn Valley growers", ["Goulburn"], [], ["PERSON Henry Goulburn", "PERSON Henry Goulburn Valley"]),
        ("Ismail Abu Shanab and Nabil Abu Rudeina spoke.", ["Abu"], ["PERSON Ismail Abu Shanab", "PERSON Nabil Abu Rudeina"], []),
        ("a spokesman, Abu Mohammad, said", ["Abu"], ["PERSON Abu Mohammad"], []),
        ("flights to Abu Dhabi", ["Abu"], [], ["PERSON Abu Dhabi"]),
    ]

    @Test(arguments: placeSurnames.indices)
    func placeSurname(_ i: Int) throws {
        let r = Self.placeSurnames[i]
        let found = try Self.find(r.text, titled: [], places: r.places)
        for p in r.present { #expect(found.contains(p), "\(r.text) gave \(found)") }
        for a in r.absent { #expect(!found.contains(a), "\(r.text) gave \(found)") }
    }
}

@Suite struct NameFinderDifferential {
    /// A naive version of the main PERSON rule on the news corpus: every pair "Given Surname" of
    /// plain words (a plain given name, then a Census surname, one space apart, letters only, not
    /// after a title and not followed by a capitalised word or a head) lies inside one of the
    /// finder's PERSON candidates; and every `person:given` candidate starts with a given name.
    @Test func givenSurnamePairsOnNews() throws {
        let texts = try CorpusTexts.load(limitPerFile: 300).prefix(600)
        let lists = Fixture.lists
        let segmenter = try Segmenter()
        var pairs = 0
        for bytes in texts {
            let text = String(decoding: bytes, as: UTF8.self)
            guard text.unicodeScalars.allSatisfy({ $0.isASCII }) else { continue }
            var doc = Document(text: bytes)
            try segmenter.segment(&doc, sentences: false)
            let spans = Fixture.finder.find(in: doc)
            let people = spans.filter { $0.label == "PERSON" }
            for s in spans where s.name == "person:given" {
                let first = doc.string(doc.tokens[s.firstToken].start, doc.tokens[s.firstToken].end)
                #expect(lists.given.contains(first) || lists.ambiguousGiven.contains(first))
            }
            // Naive: split on single spaces.
            let words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            var offset = 0
            var starts: [Int] = []
            for w in words { starts.append(offset); offset += w.utf8.count + 1 }
            for k in 1..<max(1, words.count - 2) {
                let g = words[k], s = words[k + 1], after = words[k + 2], before = words[k - 1]
                guard lists.given.contains(g), lists.surnames.contains(s),
                      g.allSatisfy(\.isLetter), s.allSatisfy(\.isLetter),
                      lists.heads[s] == nil, !lists.titles.contains(s), !lists.stop.contains(s),
                      !lists.titles.contains(before.trimmingCharacters(in: .punctuationCharacters)),
                      before.allSatisfy({ $0.isLowercase || $0.isPunctuation }) && !before.isEmpty,
                      !(after.first?.isUppercase ?? false) else { continue }
                pairs += 1
                let a = starts[k], b = starts[k + 1] + s.utf8.count
                #expect(people.contains { $0.start <= a && $0.end >= b }, "\(g) \(s) in: …\(text.prefix(80))")
            }
        }
        #expect(pairs > 20, "the corpus gave only \(pairs) pairs: is corpora/public/news.jsonl fetched?")
    }
}

/// Rule 9: a word no list knows, after a lower-case word, and a bare number right after it that
/// the pattern stage found as a CARDINAL are one name (PRODUCT), so that the number is no count.
@Suite struct NameFinderNumberedNames {
    /// The names candidates of `text` with every token equal to one of `cardinals` given as a
    /// one-token CARDINAL of the pattern stage and `places` as one-word GPEs of the gazetteer.
    static func find(_ text: String, cardinals: [String], places: [String] = []) throws -> [String] {
        var doc = Document(text)
        try Segmenter().segment(&doc, sentences: false)
        for (t, token) in doc.tokens.enumerated() {
            let surface = doc.string(token.start, token.end)
            if cardinals.contains(surface) {
                var s = Span(matchStart: token.start, matchEnd: token.end, label: "CARDINAL", source: .pattern, name: "cardinal")
                s.firstToken = t
                s.endToken = t + 1
                doc.patternSpans.append(s)
            }
            if places.contains(surface) {
                var s = Span(matchStart: token.start, matchEnd: token.end, label: "GPE", source: .gazetteer, name: surface)
                s.firstToken = t
                s.endToken = t + 1
                doc.gazetteerSpans.append(s)
            }
        }
        return Fixture.finder.find(in: doc).map { "\($0.label) \(doc.string($0.start, $0.end))" }
    }

    /// (rule, text, the pattern stage's bare CARDINALs, one-word places, present, absent).
    static let rows: [(rule: String, text: String, cardinals: [String], places: [String], present: [String], absent: [String])] = [
        ("after a verb", "Only a protest can now stop Bumblebee 5 from winning.", ["5"], [], ["PRODUCT Bumblebee 5"], []),
        ("after a verb", "a small satellite called Starshine 2 was deployed", ["2"], [], ["PRODUCT Starshine 2"], []),
        ("after a preposition", "his victory in Steinlager 2 came with a clean sweep", ["2"], [], ["PRODUCT Steinlager 2"], []),
        ("no CARDINAL there: a date, a duration or a unit", "a small satellite called Starshine 2 was deployed", [], [], [], ["PRODUCT Starshine 2"]),
        ("a person's surname and a score", "Langer was not out 67 and Matthew Hayden 55, then Hayden 60.", ["67", "55", "60"], [],
         ["PERSON Matthew Hayden"], ["PRODUCT Hayden 55", "PRODUCT Hayden 60"]),
        ("the last word of a longer name elsewhere", "Ricky Quokkaberg made runs, and later Quokkaberg 26 came.", ["26"], [], [],
         ["PRODUCT Quokkaberg 26"]),
        ("a place", "fans in Sydney 20 waited", ["20"], ["Sydney"], [], ["PRODUCT Sydney 20"]),
        ("a sentence start", "It won. Steinlager 2 beat a field of 23 boats.", ["2", "23"], [], [], ["PRODUCT Steinlager 2"]),
        ("after a capitalised word", "the New Bumblebee 5 won", ["5"], [], [], ["PRODUCT Bumblebee 5", "PRODUCT New Bumblebee 5"]),
        ("after punctuation", "said, Bumblebee 5 won", ["5"], [], [], ["PRODUCT Bumblebee 5"]),
        ("more than three digits", "stop Bumblebee 2001 now", ["2001"], [], [], ["PRODUCT Bumblebee 2001"]),
        ("all capitals", "the index of NSW 200 firms", ["200"], [], [], ["PRODUCT NSW 200"]),
        ("a month", "it was signed on December 5 in Bonn", ["5"], [], [], ["PRODUCT December 5"]),
    ]

    @Test(arguments: rows.indices)
    func numberedName(_ i: Int) throws {
        let r = Self.rows[i]
        let found = try Self.find(r.text, cardinals: r.cardinals, places: r.places)
        for p in r.present { #expect(found.contains(p), "\(r.rule): \(r.text) gave \(found)") }
        for a in r.absent { #expect(!found.contains(a), "\(r.rule): \(r.text) gave \(found)") }
    }
}
