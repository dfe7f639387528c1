import Foundation

/// What `glean render` shows.
public struct RenderOptions: Sendable {
    /// Show only entities with these labels (nil: all).
    public var labels: Set<String>?
    /// Mark sentence boundaries (from the records' `sents`).
    public var sentences = false
    /// The page's title (the input's name).
    public var title = "Glean"

    public init() {}
}

/// Builds the self-contained HTML page of `glean render`: each document with its entities
/// highlighted, a colour per label with a legend that filters by label, kb_id, source and
/// pattern name or alias on hover (the `title` attribute), and sentence boundaries on request.
///
/// The page has no external assets: its style and a small script are inline. Every string that
/// comes from a record is escaped (``HTMLEscaping``): the script reads the page's data from a
/// `<script type="application/json">` element and writes only with `textContent`, so no
/// document can add markup or run code. Each document's text has `dir="auto"` (right-to-left
/// scripts) and its `lang`, and keeps its whitespace (`white-space: pre-wrap`).
///
/// An entity is `<mark class="ent lN" data-label="GPE" data-kb-id="..." data-source="gazetteer"
/// data-name="Sydney" title="...">Sydney</mark>`; its label tag is drawn by CSS from
/// `data-label`, so the mark's text is exactly the entity's text.
///
/// ```swift
/// var page = RenderPage(options: RenderOptions())
/// page.add(record)
/// let html = page.html()
/// ```
public struct RenderPage {
    public let options: RenderOptions
    /// Entities per label on the page (after the label filter).
    public private(set) var labelCounts: [String: Int] = [:]
    public private(set) var documents = 0
    /// Entities left out because they overlap another or lie outside the text.
    public private(set) var skippedEntities = 0
    private var labelOrder: [String] = []
    private var labelClass: [String: Int] = [:]
    private var body = ""
    private var data: [String] = []

    public init(options: RenderOptions) {
        self.options = options
    }

    public var entities: Int { labelCounts.values.reduce(0, +) }

    /// The CSS class of a label (`l0`, `l1`, ... in order of first appearance).
    mutating func cssClass(for label: String) -> String {
        if let i = labelClass[label] { return "l\(i)" }
        let i = labelOrder.count
        labelOrder.append(label)
        labelClass[label] = i
        return "l\(i)"
    }

    /// Adds one record as an `<article>`.
    public mutating func add(_ record: AnnotatedRecord) {
        let index = documents
        documents += 1
        let scalars = Array(record.text.unicodeScalars)
        var ents = (record.entities ?? []).filter { options.labels?.contains($0.label) ?? true }
        ents.sort { ($0.start, $0.end) < ($1.start, $1.end) }
        var kept: [AnnotatedEntity] = []
        for e in ents {
            if e.start < 0 || e.end > scalars.count || e.start >= e.end || (kept.last.map { e.start < $0.end } ?? false) {
                skippedEntities += 1
                continue
            }
            kept.append(e)
        }
        var perLabel: [String: Int] = [:]
        for e in kept { perLabel[e.label, default: 0] += 1 }

        // Cut points: entity starts and ends, sentence starts (boundaries, not wrappers, so that
        // an entity across a sentence boundary still nests).
        let sentenceStarts: [Int] = options.sentences
            ? Set((record.sentences ?? []).map(\.lowerBound).filter { $0 > 0 && $0 < scalars.count }).sorted() : []
        var text = ""
        var position = 0
        var nextBoundary = 0
        var sentenceNumber = 1
        func boundaries() {
            while nextBoundary < sentenceStarts.count, sentenceStarts[nextBoundary] <= position {
                sentenceNumber += 1
                text += "<span class=\"sb\" title=\"sentence \(sentenceNumber)\"></span>"
                nextBoundary += 1
            }
        }
        func emitText(upTo end: Int) {
            while position < end {
                boundaries()
                let stop = nextBoundary < sentenceStarts.count ? min(end, sentenceStarts[nextBoundary]) : end
                HTMLEscaping.appendHTML(scalars[position..<stop], to: &text)
                position = stop
            }
        }
        for e in kept {
            emitText(upTo: e.start)
            boundaries()
            var tip = "\(e.label)"
            if !e.source.isEmpty { tip += " · \(e.source)" }
            if !e.name.isEmpty { tip += e.source == "gazetteer" ? " alias: \(e.name)" : " \(e.name)" }
            if !e.kbId.isEmpty { tip += " · kb_id: \(e.kbId)" }
            if let v = e.value { tip += " · value: \(v)" }
            text += "<mark class=\"ent \(cssClass(for: e.label))\" data-label=\"\(HTMLEscaping.html(e.label))\""
            text += " data-kb-id=\"\(HTMLEscaping.html(e.kbId))\" data-source=\"\(HTMLEscaping.html(e.source))\""
            text += " data-name=\"\(HTMLEscaping.html(e.name))\" data-start=\"\(e.start)\" data-end=\"\(e.end)\""
            text += " title=\"\(HTMLEscaping.html(tip))\">"
            emitText(upTo: e.end)
            text += "</mark>"
        }
        emitText(upTo: scalars.count)
        for (label, n) in perLabel { labelCounts[label, default: 0] += n }

        var article = "<article class=\"doc\" id=\"doc-\(index)\" data-index=\"\(index)\" data-entities=\"\(kept.count)\">\n"
        article += "<h2 class=\"doc-head\"><span class=\"doc-n\">\(index + 1)</span>"
        if let id = record.id { article += " <span class=\"doc-id\" dir=\"auto\">\(HTMLEscaping.html(id))</span>" }
        article += " <span class=\"doc-meta\">\(kept.count) entit\(kept.count == 1 ? "y" : "ies")"
        if let lang = record.lang { article += " · \(HTMLEscaping.html(lang))" }
        article += "</span></h2>\n"
        let lang = record.lang.map { " lang=\"\(HTMLEscaping.html($0))\"" } ?? ""
        article += "<div class=\"text\" dir=\"auto\"\(lang)>\(text)</div>\n"
        if !record.warnings.isEmpty {
            article += "<ul class=\"warnings\">"
            for w in record.warnings { article += "<li>warning: \(HTMLEscaping.html(w))</li>" }
            article += "</ul>\n"
        }
        article += "</article>\n"
        body += article

        var json = "{\"id\":" + (record.id.map(HTMLEscaping.jsonString) ?? "null") + ",\"labels\":{"
        json += perLabel.sorted { $0.key < $1.key }.map { HTMLEscaping.jsonString($0.key) + ":\($0.value)" }.joined(separator: ",")
        json += "}}"
        data.append(json)
    }

    /// Background colours for the common labels; others get a colour from a hash of the label.
    static let palette: [String: String] = [
        "PERSON": "#c9b8ff", "NORP": "#e2b4f5", "FAC": "#a9d6d6", "ORG": "#8fe8e8", "GPE": "#ffd27f",
        "LOC": "#ffac7f", "PRODUCT": "#c6efbf", "EVENT": "#fff08a", "WORK_OF_ART": "#f5d5ff", "LAW": "#ff9cad",
        "LANGUAGE": "#ffb3c7", "DATE": "#b8e3d6", "TIME": "#cde7f7", "PERCENT": "#d9e8a8", "MONEY": "#e6e0b8",
        "QUANTITY": "#dcd3c4", "ORDINAL": "#e0e0e0", "CARDINAL": "#d0d8e8", "EMAIL": "#f7c9a9", "URL": "#b9d0f7",
        "PHONE": "#f2d0e0", "IP": "#cfe0c3", "HASHTAG": "#f0e0a0", "MENTION": "#d8c8f0",
    ]

    static func colour(for label: String) -> String {
        if let c = palette[label] { return c }
        var h: UInt32 = 2_166_136_261
        for b in label.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return "hsl(\(h % 360), 70%, 80%)"
    }

    /// The whole page.
    public func html() -> String {
        var css = Self.style
        for (i, label) in labelOrder.enumerated() {
            css += ".l\(i){--c:\(Self.colour(for: label))}\n"
            css += "body.hide-l\(i) mark.l\(i){background:none;box-shadow:none;padding:0}"
            css += "body.hide-l\(i) mark.l\(i)::after{display:none}\n"
        }
        let labelsSorted = labelOrder.enumerated().sorted { labelCounts[$0.element, default: 0] != labelCounts[$1.element, default: 0]
            ? labelCounts[$0.element, default: 0] > labelCounts[$1.element, default: 0] : $0.element < $1.element }
        var legend = ""
        for (i, label) in labelsSorted {
            legend += "<label class=\"key l\(i)\"><input type=\"checkbox\" checked data-class=\"l\(i)\" data-label=\"\(HTMLEscaping.html(label))\">"
            legend += "<span class=\"swatch\"></span>\(HTMLEscaping.html(label)) <span class=\"n\">\(labelCounts[label, default: 0])</span></label>\n"
        }
        if legend.isEmpty { legend = "<span class=\"none\">no entities</span>" }
        let labelsJSON = labelsSorted.map { "{\"label\":\(HTMLEscaping.jsonString($0.element)),\"class\":\"l\($0.offset)\",\"count\":\(labelCounts[$0.element, default: 0])}" }
        let dataJSON = "{\"documents\":[" + data.joined(separator: ",") + "],\"labels\":[" + labelsJSON.joined(separator: ",")
            + "],\"entities\":\(entities)}"
        let title = HTMLEscaping.html(options.title)
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
            <meta name="generator" content="glean render">
            <title>Glean: \(title)</title>
            <style>
            \(css)</style>
            </head>
            <body>
            <header class="top">
            <h1>Glean <span class="src">\(title)</span></h1>
            <p class="summary">\(documents) document\(documents == 1 ? "" : "s"), \(entities) entit\(entities == 1 ? "y" : "ies")\(skippedEntities > 0 ? ", \(skippedEntities) overlapping or out of range left out" : "") · <span id="shown"></span></p>
            <fieldset id="legend"><legend>Labels <button type="button" id="all">all</button> <button type="button" id="none">none</button> <label class="only"><input type="checkbox" id="only-with"> only documents with shown entities</label></legend>
            \(legend)</fieldset>
            </header>
            <main>
            \(body)</main>
            <script type="application/json" id="glean-data">\(dataJSON)</script>
            <script>
            \(Self.script)</script>
            </body>
            </html>

            """
    }

    static let style = """
        :root{font-family:system-ui,"Noto Sans","Noto Sans CJK SC","Noto Sans CJK JP","Noto Sans Arabic","Noto Sans Hebrew",sans-serif;color:#222;background:#fafafa}
        body{margin:0 auto;max-width:60rem;padding:0 1rem 3rem}
        header.top{position:sticky;top:0;background:#fafafa;border-bottom:1px solid #ddd;padding:.5rem 0;z-index:1}
        h1{font-size:1.3rem;margin:.3rem 0}h1 .src{font-weight:normal;color:#666;font-size:1rem}
        .summary{margin:.2rem 0;color:#555;font-size:.9rem}
        fieldset{border:0;padding:0;margin:.3rem 0;display:flex;flex-wrap:wrap;gap:.3rem .6rem;align-items:center}
        fieldset legend{float:left;margin-right:.6rem;font-weight:600;font-size:.9rem}
        fieldset legend button{font-size:.75rem}.only{font-weight:normal;font-size:.8rem}
        .key{font-size:.8rem;white-space:nowrap;cursor:pointer}.key .n{color:#777}
        .swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;background:var(--c);margin:0 .25em;vertical-align:-.05em}
        article.doc{background:#fff;border:1px solid #e4e4e4;border-radius:6px;margin:1rem 0;padding:.6rem .9rem}
        .doc-head{font-size:.85rem;font-weight:normal;color:#666;margin:0 0 .4rem}.doc-n{font-weight:600;color:#333}
        .text{white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.9;font-size:1rem}
        .text:lang(zh),.text:lang(ja),.text:lang(ko){line-break:strict;word-break:normal}
        mark.ent{background:var(--c);border-radius:3px;padding:.1em .2em;color:inherit;unicode-bidi:isolate}
        mark.ent::after{content:attr(data-label);font-size:.6em;font-weight:700;margin-inline-start:.3em;opacity:.7;vertical-align:.15em;unicode-bidi:isolate;direction:ltr;font-family:system-ui,sans-serif}
        .sb{display:inline-block;width:0;height:1.1em;border-inline-start:2px solid #d55;margin:0 .15em;vertical-align:-.2em}
        .warnings{font-size:.8rem;color:#a60;margin:.4rem 0 0;padding-inline-start:1.2rem}
        article.doc[hidden]{display:none}

        """

    static let script = """
        (function () {
          "use strict";
          var data = JSON.parse(document.getElementById("glean-data").textContent);
          var boxes = Array.prototype.slice.call(document.querySelectorAll("#legend input[data-class]"));
          var onlyWith = document.getElementById("only-with");
          var docs = Array.prototype.slice.call(document.querySelectorAll("article.doc"));
          function update() {
            var shown = 0, on = {};
            boxes.forEach(function (box, i) {
              document.body.classList.toggle("hide-" + box.dataset.class, !box.checked);
              if (box.checked) { on[box.dataset.label] = true; }
            });
            data.labels.forEach(function (l) { if (on[l.label]) { shown += l.count; } });
            docs.forEach(function (doc, i) {
              var labels = (data.documents[i] || {}).labels || {};
              var any = Object.keys(labels).some(function (l) { return on[l]; });
              doc.hidden = onlyWith.checked && !any;
            });
            document.getElementById("shown").textContent = shown + " of " + data.entities + " entities shown";
            var hidden = boxes.filter(function (b) { return !b.checked; }).map(function (b) { return encodeURIComponent(b.dataset.label); });
            var hash = (hidden.length ? "hide=" + hidden.join(",") : "") + (onlyWith.checked ? (hidden.length ? "&" : "") + "only" : "");
            try { history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search); } catch (e) { }
          }
          // The filter in the address: #hide=GPE,DATE&only (so that a view can be shared).
          function readHash() {
            location.hash.replace(/^#/, "").split("&").forEach(function (part) {
              if (part === "only") { onlyWith.checked = true; }
              if (part.indexOf("hide=") === 0) {
                var hide = part.slice(5).split(",").map(function (l) { try { return decodeURIComponent(l); } catch (e) { return l; } });
                boxes.forEach(function (b) { if (hide.indexOf(b.dataset.label) >= 0) { b.checked = false; } });
              }
            });
          }
          function setAll(v) { boxes.forEach(function (b) { b.checked = v; }); update(); }
          boxes.forEach(function (b) { b.addEventListener("change", update); });
          onlyWith.addEventListener("change", update);
          document.getElementById("all").addEventListener("click", function () { setAll(true); });
          document.getElementById("none").addEventListener("click", function () { setAll(false); });
          readHash();
          update();
        })();

        """
}
