import GleanCore
import GleanPatterns
import Testing

/// One row of the default pack's table: a text, the spans it must give (label, matched text,
/// and where it matters the normalised value), and spans it must not give.
struct PackRow: CustomTestStringConvertible, Sendable {
    var text: String
    var expect: [(label: String, text: String, value: String?)]
    var reject: [(label: String, text: String)]
    var testDescription: String { text }

    init(_ text: String, _ expect: [(String, String)], values: [String: String] = [:], not reject: [(String, String)] = []) {
        self.text = text
        self.expect = expect.map { ($0.0, $0.1, values[$0.1]) }
        self.reject = reject
    }
}

let packRows: [PackRow] = [
    // DATE
    PackRow("It happened on Thursday, 2 March 2023 in Sydney.", [("DATE", "Thursday, 2 March 2023")],
            values: ["Thursday, 2 March 2023": "2023-03-02"]),
    PackRow("Talks resume on Friday, March 3, 2023.", [("DATE", "Friday, March 3, 2023")],
            values: ["Friday, March 3, 2023": "2023-03-03"]),
    PackRow("The vote is on Tuesday.", [("DATE", "Tuesday")]),
    PackRow("Published 2 March 2023.", [("DATE", "2 March 2023")], values: ["2 March 2023": "2023-03-02"]),
    PackRow("on the 21st of June", [("DATE", "21st of June")]),
    PackRow("It closes on March 1 and reopens March 1, 2024.", [("DATE", "March 1"), ("DATE", "March 1, 2024")],
            values: ["March 1, 2024": "2024-03-01"]),
    PackRow("Figures for February 2021 were revised.", [("DATE", "February 2021")], values: ["February 2021": "2021-02"]),
    PackRow("Rain fell in December.", [("DATE", "December")]),
    PackRow("Filed 2023-03-02 at noon.", [("DATE", "2023-03-02"), ("TIME", "noon")],
            values: ["2023-03-02": "2023-03-02", "noon": "12:00"]),
    PackRow("Dated 02/03/2023 and 25/12/2022.", [("DATE", "02/03/2023"), ("DATE", "25/12/2022")],
            values: ["25/12/2022": "2022-12-25"]),
    PackRow("The 2023-2024 budget and the 2019-20 season.", [("DATE", "2023-2024"), ("DATE", "2019-20 season")]),
    PackRow("Prices rose in 2022 and since 1999, peaking in mid-2020.", [("DATE", "2022"), ("DATE", "1999"), ("DATE", "2020")],
            values: ["2022": "2022"]),
    PackRow("Music of the 1980s.", [("DATE", "1980s")]),
    PackRow("Fires burned on New Year's Eve and Christmas Day.", [("DATE", "New Year's Eve"), ("DATE", "Christmas Day")],
            not: [("DATE", "Christmas Island")]),
    PackRow("He arrived on Christmas Island.", [], not: [("DATE", "Christmas")]),
    PackRow("Yesterday it rained; today it is fine.", [("DATE", "Yesterday"), ("DATE", "today")]),
    PackRow("Sales fell last week and will rise next year.", [("DATE", "last week"), ("DATE", "next year")]),
    PackRow("You may say so. May I go?", [], not: [("DATE", "May")]),
    // TIME
    PackRow("The alarm rang at 09:57 and again at 4:00pm AEDT.", [("TIME", "09:57"), ("TIME", "4:00pm AEDT")],
            values: ["09:57": "09:57", "4:00pm AEDT": "16:00"]),
    PackRow("Doors open at 4pm, close at 10 a.m. and at 12:30:15.", [("TIME", "4pm"), ("TIME", "10 a.m."), ("TIME", "12:30:15")],
            values: ["4pm": "16:00", "10 a.m.": "10:00", "12:30:15": "12:30:15"]),
    PackRow("We met at midnight, not tonight.", [("TIME", "midnight"), ("TIME", "tonight")], values: ["midnight": "00:00"]),
    PackRow("Police said last night and this morning.", [("TIME", "last night"), ("TIME", "this morning")]),
    PackRow("I am here and pm is a word.", [], not: [("TIME", "am")]),
    PackRow("Crews worked yesterday afternoon and will return tomorrow morning; this year is worse.",
            [("TIME", "yesterday afternoon"), ("TIME", "tomorrow morning"), ("DATE", "this year")],
            not: [("DATE", "yesterday"), ("DATE", "tomorrow")]),
    // MONEY
    PackRow("It costs $5, or US$1.2 billion, or $US300,000.", [("MONEY", "$5"), ("MONEY", "US$1.2 billion"), ("MONEY", "$US300,000")]),
    PackRow("Tickets were €300 and £4m and AUD 5 million.", [("MONEY", "€300"), ("MONEY", "£4m"), ("MONEY", "AUD 5 million")]),
    PackRow("A fine of 5 million dollars and 50 cents.", [("MONEY", "5 million dollars"), ("MONEY", "50 cents")]),
    PackRow("He lost 10 pounds of weight.", [], not: [("MONEY", "10 pounds")]),
    // PERCENT
    PackRow("Up 12%, then 12 per cent, then 3.5 percentage points.", [("PERCENT", "12%"), ("PERCENT", "12 per cent"), ("PERCENT", "3.5 percentage points")]),
    // numbers
    PackRow("She came 1st, he came 22nd and they came 11th.", [("ORDINAL", "1st"), ("ORDINAL", "22nd"), ("ORDINAL", "11th")]),
    PackRow("There were 16 boats, 1,234.5 horses and 2.5 million people.", [("CARDINAL", "16"), ("CARDINAL", "1,234.5"), ("CARDINAL", "2.5 million")]),
    PackRow("In 2023 the 16-year-old saw 4:00 and $5 and 3.5%.", [("DATE", "2023")],
            not: [("CARDINAL", "2023"), ("CARDINAL", "16"), ("CARDINAL", "4"), ("CARDINAL", "00"), ("CARDINAL", "5"), ("CARDINAL", "3.5")]),
    // Numbers with what they count, modifiers, words (OntoNotes conventions)
    PackRow("About 60 units, more than 100 blazes, just over 200 paddlers and as many as 5,000 troops.",
            [("CARDINAL", "About 60"), ("CARDINAL", "more than 100"), ("CARDINAL", "just over 200"), ("CARDINAL", "as many as 5,000")],
            not: [("CARDINAL", "60"), ("CARDINAL", "100")]),
    PackRow("An estimated 500 residents left.", [("CARDINAL", "500")], not: [("CARDINAL", "An estimated 500")]),
    PackRow("It raised about $170,000, paid more than $800 million and set $400 to $500 million aside.",
            [("MONEY", "about $170,000"), ("MONEY", "more than $800 million"), ("MONEY", "$400 to $500 million")],
            not: [("MONEY", "$400")]),
    PackRow("Cut by at least 40 per cent, about 5 to 6 per cent, 0.25 of a per cent.",
            [("PERCENT", "at least 40 per cent"), ("PERCENT", "about 5 to 6 per cent"), ("PERCENT", "0.25 of a per cent")]),
    PackRow("Twenty per cent said so after a quarter-point cut and half a percentage point more.",
            [("PERCENT", "Twenty per cent"), ("PERCENT", "a quarter-point"), ("PERCENT", "half a percentage point")]),
    PackRow("At about 4:00pm AEDT and around 3am.", [("TIME", "about 4:00pm AEDT"), ("TIME", "around 3am")],
            values: ["about 4:00pm AEDT": "16:00"]),
    PackRow("The worst crisis in 12 years, 15 months of unrest, 10 days ago, a 10-year expansion.",
            [("DATE", "12 years"), ("DATE", "15 months"), ("DATE", "10 days ago"), ("DATE", "10-year")],
            not: [("CARDINAL", "12"), ("CARDINAL", "15")]),
    PackRow("The 28-year-old won in 62 minutes after a 24-hour wait.",
            [("DATE", "28-year-old"), ("TIME", "62 minutes"), ("TIME", "24-hour")]),
    PackRow("Two days of mourning, four years of recession, a week ago, the next few days.",
            [("DATE", "Two days"), ("DATE", "four years"), ("DATE", "a week ago"), ("DATE", "next few days")],
            not: [("DATE", "the next few days")]),
    PackRow("Eight hours away; the next few hours; a second minute of silence.",
            [("TIME", "Eight hours"), ("TIME", "next few hours")], not: [("TIME", "a second")]),
    PackRow("A 25 kilometre front, 110 kilometres an hour, some 50 kilometers, 46 miles, less than about five millimetres.",
            [("QUANTITY", "25 kilometre"), ("QUANTITY", "110 kilometres an hour"), ("QUANTITY", "some 50 kilometers"),
             ("QUANTITY", "46 miles"), ("QUANTITY", "less than about five millimetres")],
            not: [("CARDINAL", "25")]),
    PackRow("There is a degree of volatility.", [], not: [("QUANTITY", "a degree")]),
    PackRow("Seles won 6-4, 6-3 and led 2-0.", [("CARDINAL", "6-4"), ("CARDINAL", "6-3"), ("CARDINAL", "2-0")]),
    PackRow("Virginie Razzano, 18, who is ranked 72nd.", [("DATE", "18")], not: [("CARDINAL", "18")]),
    PackRow("Since their 1971 war, cars built prior to 1986, by 2020, 2001 and 2002 combined; 2000 people.",
            [("DATE", "1971"), ("DATE", "1986"), ("DATE", "2020"), ("DATE", "2001"), ("DATE", "2002")],
            not: [("DATE", "2000")]),
    PackRow("Two fires, three gunmen, Two hundred and thirty canoes, a million jobs, tens of thousands of homes, Hundreds of people, more than two dozen militants.",
            [("CARDINAL", "Two"), ("CARDINAL", "three"), ("CARDINAL", "Two hundred and thirty"), ("CARDINAL", "a million"),
             ("CARDINAL", "tens of thousands"), ("CARDINAL", "Hundreds"), ("CARDINAL", "more than two dozen")]),
    PackRow("No one was hurt, anyone could go one better, and Zeus Two finished; it was done; the last one wins; then one without.", [],
            not: [("CARDINAL", "one"), ("CARDINAL", "Two"), ("CARDINAL", "done")]),
    PackRow("He is one of the goals, world number one, with one person hurt.", [("CARDINAL", "one"), ("CARDINAL", "one"), ("CARDINAL", "one")]),
    PackRow("The first set, the second Test and her eighth title; at first, first-hand.",
            [("ORDINAL", "first"), ("ORDINAL", "second"), ("ORDINAL", "eighth")], not: [("ORDINAL", "first-hand")]),
    PackRow("Reach the second week; sales in the first quarter of the new year.",
            [("DATE", "second week"), ("DATE", "first quarter of the new year")]),
    // Relative dates and times, holidays, ranges
    PackRow("They left last Thursday and return next Monday; the early 1980s.",
            [("DATE", "last Thursday"), ("DATE", "next Monday"), ("DATE", "early 1980s")],
            not: [("DATE", "the early 1980s")]),
    PackRow("Fires flared overnight; early evening crowds; overnight borrowing costs.",
            [("TIME", "overnight"), ("TIME", "early evening")]),
    PackRow("In the early hours of this morning and the next hour.", [("TIME", "early hours of this morning"), ("TIME", "next hour")]),
    PackRow("A start to the new year, this season and June this year.",
            [("DATE", "new year"), ("DATE", "this season"), ("DATE", "June this year")]),
    PackRow("The January 4-6 summit and 4-6 January 2002.", [("DATE", "January 4-6"), ("DATE", "4-6 January 2002")]),
    PackRow("The Christmas period, the Christmas-New Year holiday period and New Years Eve.",
            [("DATE", "Christmas period"), ("DATE", "Christmas-New Year holiday period"), ("DATE", "New Years Eve")]),
    PackRow("In the New Year Honours list.", [], not: [("DATE", "New Year")]),
    PackRow("Income in the 2000-2001 financial year.", [("DATE", "2000-2001 financial year")]),
    // ORG boundaries
    PackRow("The Bureau of Meteorology's Claire Richards and the South Asian Association for Regional Cooperation.",
            [("ORG", "Bureau of Meteorology"), ("ORG", "South Asian Association for Regional Cooperation")],
            not: [("ORG", "Bureau of Meteorology's Claire Richards")]),
    // internet and contact
    PackRow("Write to jane.doe+news@example.com.au today.", [("EMAIL", "jane.doe+news@example.com.au")]),
    PackRow("See https://example.com/a?b=c, or www.abc.net.au.", [("URL", "https://example.com/a?b=c"), ("URL", "www.abc.net.au")]),
    PackRow("Hosts 192.168.0.1 and 10.0.0.255 but not 1.2.3.4.5.", [("IP", "192.168.0.1"), ("IP", "10.0.0.255")], not: [("IP", "1.2.3.4")]),
    PackRow("IPv6 2001:db8::1 and fe80::1ff:fe23:4567:890a and 2001:0db8:85a3:0000:0000:8a2e:0370:7334.",
            [("IP", "2001:db8::1"), ("IP", "fe80::1ff:fe23:4567:890a"), ("IP", "2001:0db8:85a3:0000:0000:8a2e:0370:7334")]),
    PackRow("Call (02) 9999 9999, +61 2 9999 9999, 1300 555 123 or 212-555-1234.",
            [("PHONE", "(02) 9999 9999"), ("PHONE", "+61 2 9999 9999"), ("PHONE", "1300 555 123"), ("PHONE", "212-555-1234")]),
    PackRow("Follow #auspol and @abcnews, not me@x.com or C#.", [("HASHTAG", "#auspol"), ("MENTION", "@abcnews")],
            not: [("MENTION", "@x"), ("HASHTAG", "#")]),
    // PERSON
    PackRow("President Xi Jinping met Mr. Smith and Dr. Claire Richards.",
            [("PERSON", "Xi Jinping"), ("PERSON", "Smith"), ("PERSON", "Claire Richards")],
            not: [("PERSON", "President Xi Jinping"), ("PERSON", "Mr. Smith")]),
    PackRow("Prime Minister John Howard and President George W. Bush.", [("PERSON", "John Howard"), ("PERSON", "George W. Bush")]),
    PackRow("Chinese leader Xi Jinping and spokesman Raanan Gissin spoke.", [("PERSON", "Xi Jinping"), ("PERSON", "Raanan Gissin")]),
    PackRow("The president Tuesday said General Motors and Queen Street were closed.", [],
            not: [("PERSON", "Tuesday"), ("PERSON", "Motors"), ("PERSON", "Street")]),
    PackRow("Finance minister Émile Dubois met the Ökoworld Group and the Acme Group.",
            [("PERSON", "Émile Dubois"), ("ORG", "Ökoworld Group"), ("ORG", "Acme Group")]),
    // ORG
    PackRow("Analysts at the Institute for the Study of War and the Bureau of Meteorology.",
            [("ORG", "Institute for the Study of War"), ("ORG", "Bureau of Meteorology")]),
    PackRow("She studied at the University of Sydney and works for Acme Pty Ltd.",
            [("ORG", "University of Sydney"), ("ORG", "Acme Pty Ltd")]),
    PackRow("The New South Wales Rural Fire Service and the Labor Party.",
            [("ORG", "New South Wales Rural Fire Service"), ("ORG", "Labor Party")], not: [("ORG", "The Labor Party")]),
]

@Suite("The default pattern pack")
struct DefaultPackTests {
    static let pack: PatternSet = try! PatternSet.defaultPack()

    @Test("data table", arguments: packRows)
    func row(_ row: PackRow) throws {
        let (spans, warnings) = Self.pack.matches(in: row.text)
        #expect(warnings.isEmpty)
        let bytes = Array(row.text.utf8)
        let found = spans.map { (label: $0.label, text: String(decoding: bytes[$0.matchStart..<$0.matchEnd], as: UTF8.self), value: $0.value) }
        for e in row.expect {
            let hits = found.filter { $0.label == e.label && $0.text == e.text }
            #expect(!hits.isEmpty, "expected \(e.label) '\(e.text)'; found \(found.map { "\($0.label) '\($0.text)'" })")
            if let v = e.value {
                #expect(hits.contains { $0.value == v }, "value of '\(e.text)': \(hits.map { $0.value ?? "nil" })")
            }
        }
        for r in row.reject {
            #expect(!found.contains { $0.label == r.label && $0.text == r.text }, "unexpected \(r.label) '\(r.text)'")
        }
    }

    @Test("every pattern (every labelled branch) of the pack has a row that expects one of its matches")
    func coverage() {
        var covered = Set<String>()
        for row in packRows {
            let (spans, _) = Self.pack.matches(in: row.text)
            let bytes = Array(row.text.utf8)
            for s in spans {
                let t = String(decoding: bytes[s.matchStart..<s.matchEnd], as: UTF8.self)
                if row.expect.contains(where: { $0.label == s.label && $0.text == t }) { covered.insert(s.name) }
            }
        }
        let all = Self.pack.definitions.flatMap { d in d.branches.isEmpty ? [d.name] : d.branches.map { d.name + "/" + $0.group } }
        let missing = all.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "patterns without a row: \(missing)")
    }

    @Test("spans carry the pattern's name, label, priority, source and named groups")
    func spanFields() throws {
        let (spans, _) = Self.pack.matches(in: "Due 2023-03-02.")
        let s = try #require(spans.first { $0.name == "numeric/date_iso" })
        #expect(s.label == "DATE" && s.source == .pattern && s.priority == 12)
        #expect((s.matchStart, s.matchEnd) == (4, 14))
        #expect(s.groups == [NamedGroup(name: "year", value: "2023"), NamedGroup(name: "month", value: "03"), NamedGroup(name: "day", value: "02")])
    }

    @Test("patterns with lang: en do not run on other languages")
    func language() {
        #expect(Self.pack.matches(in: "Up 12% on 2023-03-02", lang: "en-AU").spans.count >= 2)
        #expect(Self.pack.matches(in: "Up 12% on 2023-03-02", lang: "de").spans.isEmpty)
    }
}
