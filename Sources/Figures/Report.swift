import DataFormats
import Foundation

/// An HTML page of results: headings, text, tables, figures and commands, written as one
/// `index.html` beside its figure files, readable offline in any browser.
public struct Report: Sendable {
    /// One piece of the page, in reading order.
    public enum Block: Sendable {
        case heading(String)
        case paragraph(String)
        /// A table: a header row, then body rows of the same width.
        case table(header: [String], rows: [[String]])
        /// An SVG figure written to `file` (a plain file name) and shown with its caption.
        case figure(file: String, svg: String, caption: String)
        /// A shell command or configuration, shown verbatim.
        case code(String)
    }

    public var title: String
    public var blocks: [Block] = []

    public init(title: String) { self.title = title }

    public mutating func add(_ block: Block) { blocks.append(block) }

    /// The page. Text is escaped; figures are referenced by their file names.
    public func html() -> String {
        var body: [String] = ["<h1>\(escape(title))</h1>"]
        for block in blocks {
            switch block {
            case .heading(let text): body.append("<h2>\(escape(text))</h2>")
            case .paragraph(let text): body.append("<p>\(escape(text))</p>")
            case .table(let header, let rows):
                var table = ["<table>", "<thead><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead>", "<tbody>"]
                table += rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }
                table += ["</tbody>", "</table>"]
                body.append(table.joined(separator: "\n"))
            case .figure(let file, _, let caption):
                body.append("<figure><img src=\"\(escape(file))\" alt=\"\(escape(caption))\"><figcaption>\(escape(caption))</figcaption></figure>")
            case .code(let text): body.append("<pre><code>\(escape(text))</code></pre>")
            }
        }
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body { font-family: \(SVGDocument.fontFamily); max-width: 1180px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
        h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: .2em; }
        table { border-collapse: collapse; margin: 1em 0; } th, td { padding: .3em .8em; border-bottom: 1px solid #e5e5e5; text-align: left; }
        th { background: #f4f4f4; } td { font-variant-numeric: tabular-nums; }
        figure { display: inline-block; margin: .5em 1em 1em 0; vertical-align: top; } figure img { max-width: 100%; }
        figcaption { font-size: .9em; color: #555; max-width: 560px; }
        pre { background: #f6f6f6; padding: .7em; overflow-x: auto; font-size: .9em; }
        </style>
        </head>
        <body>
        \(body.joined(separator: "\n"))
        </body>
        </html>

        """
    }

    /// Writes the figures and then `index.html` into `folder` (created if missing), each file
    /// atomically; returns the page's path. Throws when a figure's file name is not a plain
    /// name or two figures share one.
    @discardableResult
    public func write(to folder: String) throws -> String {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), !isFolder.boolValue {
            throw FigureError("cannot write the report into \(folder): a file of that name exists")
        }
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw FigureError("cannot create the report folder \(folder): \((error as NSError).localizedDescription)")
        }
        var names = Set<String>()
        for case .figure(let file, let svg, _) in blocks {
            guard !file.isEmpty, !file.contains("/"), file != "index.html", !file.hasPrefix(".") else {
                throw FigureError("report figure file \"\(file)\" must be a plain file name other than index.html")
            }
            guard names.insert(file).inserted else { throw FigureError("two report figures are named \"\(file)\"") }
            try FileIO.writeAtomically(Array(svg.utf8), to: (folder as NSString).appendingPathComponent(file))
        }
        let page = (folder as NSString).appendingPathComponent("index.html")
        try FileIO.writeAtomically(Array(html().utf8), to: page)
        return page
    }

    private func escape(_ text: String) -> String { SVGDocument.escape(text) }
}
