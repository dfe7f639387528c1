import GleanCore

/// Turns a match's named groups into a normalised value (see ``ValueKind``).
enum ValueNormaliser {
    static func value(_ kind: ValueKind, groups: [NamedGroup], text: String) -> String? {
        func g(_ n: String) -> String? { groups.first { $0.name == n }?.value }
        switch kind {
        case .year:
            let y = g("year") ?? text
            guard y.utf8.count == 4, y.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return y
        case .era:
            guard let ys = g("year"), (1...4).contains(ys.utf8.count), let y = Int(ys), y > 0 else { return nil }
            return isBeforeCommonEra(g("era")) ? astronomical(1 - y) : astronomical(y)
        case .century:
            guard let cs = g("century"), let c = ordinalNumber(cs), (1...40).contains(c) else { return nil }
            if isBeforeCommonEra(g("era")) {
                // The 5th century BC: 500 BC to 401 BC, astronomical -499 to -400.
                return astronomical(1 - c * 100) + "/" + astronomical(1 - (c - 1) * 100 - 1)
            }
            return astronomical((c - 1) * 100 + 1) + "/" + astronomical(c * 100)
        case .number:
            let cleaned = String(text.unicodeScalars.filter { $0 != "," && $0 != "\u{202F}" && $0 != "\u{00A0}" })
            guard !cleaned.isEmpty, cleaned.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || $0 == "." || $0 == "-" }) else { return nil }
            return cleaned
        case .date:
            guard let ys = g("year"), ys.utf8.count == 4, let year = Int(ys) else { return nil }
            var month: Int?
            var day: Int?
            if let m = g("month") { month = monthNumber(m) }
            if let d = g("day") { day = dayNumber(d) }
            if month == nil, day == nil, let a = g("a").flatMap(Int.init), let b = g("b").flatMap(Int.init) {
                if a == b { day = a; month = b }
                else if a > 12 && b <= 12 { day = a; month = b }
                else if b > 12 && a <= 12 { day = b; month = a }
                else { return nil }
            }
            guard let month, (1...12).contains(month) else { return nil }
            let ym = pad(year, 4) + "-" + pad(month, 2)
            guard g("day") != nil || g("a") != nil else { return ym }
            guard let day, day >= 1, day <= daysIn(month: month, year: year) else { return nil }
            return ym + "-" + pad(day, 2)
        case .time:
            if let w = g("word")?.lowercased() {
                if w == "noon" || w == "midday" { return "12:00" }
                if w == "midnight" { return "00:00" }
                return nil
            }
            guard var hour = g("hour").flatMap(Int.init) else { return nil }
            let minute = g("minute").flatMap(Int.init) ?? 0
            let second = g("second").flatMap(Int.init)
            if let ap = g("ampm")?.lowercased().filter({ $0 != "." && $0 != " " }) {
                guard (1...12).contains(hour) else { return nil }
                if ap.hasPrefix("p") { hour = hour == 12 ? 12 : hour + 12 } else { hour = hour == 12 ? 0 : hour }
            }
            guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
            var s = pad(hour, 2) + ":" + pad(minute, 2)
            if let second {
                guard (0...59).contains(second) else { return nil }
                s += ":" + pad(second, 2)
            }
            return s
        }
    }

    /// BC, BCE, B.C., B.C.E. (any case); nil or AD/CE is the common era.
    static func isBeforeCommonEra(_ era: String?) -> Bool {
        guard let e = era?.uppercased().filter({ $0 != "." && $0 != " " }) else { return false }
        return e == "BC" || e == "BCE"
    }

    /// An ISO 8601 year: four digits, a minus sign before the year 0.
    static func astronomical(_ y: Int) -> String { y < 0 ? "-" + pad(-y, 4) : pad(y, 4) }

    static let ordinalWords = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                               "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
                               "eighteenth", "nineteenth", "twentieth", "twenty-first"]

    /// "4th" -> 4, "fourth" -> 4, "Twenty-first" -> 21.
    static func ordinalNumber(_ s: String) -> Int? {
        if let n = Int(String(s.prefix { $0.isASCII && $0.isNumber })) { return n }
        return ordinalWords.firstIndex(of: s.lowercased()).map { $0 + 1 }
    }

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func monthNumber(_ s: String) -> Int? {
        if let n = Int(s) { return n }
        let l = s.lowercased().filter { $0 != "." }
        guard l.count >= 3 else { return nil }
        if let i = months.firstIndex(of: String(l.prefix(3))) { return i + 1 }
        return nil
    }

    /// A day of the month ("4", "21st"); nil for a range of days ("4-6").
    static func dayNumber(_ s: String) -> Int? {
        if s.contains("-") || s.contains("–") { return nil }
        return Int(String(s.prefix { $0.isASCII && $0.isNumber }))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
