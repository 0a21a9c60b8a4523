import Exploration
import Foundation
import Latent
import LatentCommand
import Testing
import TestSupport

/// `latent explore` running as its own process: the URL it prints, its server, Ctrl-C.
final class ExploreProcess: @unchecked Sendable {
    let process = Process()
    private let output = Pipe(), errors = Pipe()
    let url: String
    let port: Int

    /// Starts `latent explore ARGUMENTS` in `folder` and waits for the URL on its stdout.
    init(_ arguments: [String], in folder: String) throws {
        process.executableURL = URL(fileURLWithPath: try latentExecutable())
        process.arguments = ["explore"] + arguments + ["--threads", "1"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        (process.standardOutput, process.standardError) = (output, errors)
        try process.run()
        var printed = Data()
        while !printed.contains(10) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else {
                process.waitUntilExit()
                let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw LoopbackHTTP.Failure(description: "latent explore exited (\(process.terminationStatus)) before printing a URL: \(message)")
            }
            printed.append(chunk)
        }
        url = String(decoding: printed, as: UTF8.self).components(separatedBy: "\n")[0]
        port = Int(url.split(separator: ":").last!.trimmingCharacters(in: CharacterSet(charactersIn: "/"))) ?? -1
    }

    /// Ctrl-C, then the exit status and what it wrote on stderr.
    func interrupt() -> (status: Int32, errors: String) {
        process.interrupt()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    deinit { if process.isRunning { process.terminate() } }
}

@Suite(.serialized) struct ExploreCommandTests {
    /// A VAE of 4-dimensional codes on the bundled images, fitted once.
    static let model: (folder: String, path: String) = {
        let folder = scratchFolder()
        let fit = try! latent("fit", "vae", "--data", "fashion-mnist-mini:train", "--code-size", "4", "--hidden", "64", "--epochs", "2", "--seed", "1",
                              "--output", "vae.safetensors", "--quiet", in: folder)
        precondition(fit.status == 0, fit.errors)
        return (folder, folder + "/vae.safetensors")
    }()

    /// It prints the URL, binds 127.0.0.1, serves the API, refuses a port in use with a message
    /// that says what to do, and stops cleanly (exit 0) on Ctrl-C.
    @Test func servesUntilCtrlC() throws {
        let (folder, path) = Self.model
        let explorer = try ExploreProcess([path, "--data", "fashion-mnist-mini:train", "--port", "0"], in: folder)
        #expect(explorer.url.hasPrefix("http://127.0.0.1:") && explorer.port > 0)
        let codes = try LoopbackHTTP.request(port: explorer.port, "/api/codes")
        let document = try ExplorationDocuments.decode(ExplorationDocuments.Codes.self, from: codes.body)
        #expect(document.samples == 5000 && document.codeSize == 4 && document.classNames?.first == "T-shirt/top")
        let taken = try spawnLatent("explore", path, "--data", "fashion-mnist-mini:train", "--port", "\(explorer.port)", in: folder)
        #expect(taken.status != 0 && taken.errors.contains("the port is in use; choose another with --port"), "\(taken.errors)")
        let stopped = explorer.interrupt()
        #expect(stopped.status == 0 && stopped.errors.contains("stopped"), "\(stopped)")
        #expect(throws: LoopbackHTTP.Failure.self) { try LoopbackHTTP.request(port: explorer.port, "/api/codes") }
    }

    /// Another address than this machine's own is served only with a warning; --json says
    /// where in one object.
    @Test func anotherHostIsWarnedAbout() throws {
        let (folder, path) = Self.model
        let explorer = try ExploreProcess([path, "--data", "fashion-mnist-mini:test", "--port", "0", "--host", "127.0.0.2", "--json"], in: folder)
        let listening = try JSONSerialization.jsonObject(with: Data(explorer.url.utf8)) as? [String: Any]
        #expect(listening?["url"] as? String == "http://127.0.0.2:\(listening?["port"] as? Int ?? -1)/" && listening?["code_size"] as? Int == 4)
        let stopped = explorer.interrupt()
        #expect(stopped.status == 0 && stopped.errors.contains("warning: serving on 127.0.0.2"))
    }

    /// What cannot be explored fails before serving, with a message.
    @Test func clusteringsAreRefused() throws {
        let folder = scratchFolder()
        let fit = try latent("fit", "kmeans", "--data", "fashion-mnist-mini:test", "--clusters", "3", "--output", "k.safetensors", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let refused = try latent("explore", "k.safetensors", "--data", "fashion-mnist-mini:test", in: folder)
        #expect(refused.status != 0 && refused.errors.contains("cluster indices"), "\(refused.errors)")
        let badPort = try latent("explore", "k.safetensors", "--data", "fashion-mnist-mini:test", "--port", "70000", in: folder)
        #expect(badPort.status != 0 && badPort.errors.contains("--port must be 0 … 65535"))
    }

    /// A translator is explored from the data of any of its domains (`--domain`); the page offers
    /// a switch of the domain it decodes into, and hovering shows the sample's translation.
    @Test(.enabled(if: executablePath("chromium") != nil, "needs chromium (installed by .ci/run)"))
    func aTranslatorDecodesIntoEitherDomain() throws {
        let folder = scratchFolder()
        let fit = try latent("fit", "translator", "--domain", "top=fashion-mnist-mini:test?half=top", "--domain", "bottom=fashion-mnist-mini:test?half=bottom",
                             "--code-size", "3", "--hidden", "32", "--epochs", "2", "--output", "t.safetensors", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let refused = try latent("explore", Self.model.path, "--data", "fashion-mnist-mini:test", "--domain", "top", in: folder)
        #expect(refused.status != 0 && refused.errors.contains("which has one domain"), "\(refused.errors)")
        let explorer = try ExploreProcess(["t.safetensors", "--data", "fashion-mnist-mini:test?half=bottom", "--domain", "bottom", "--port", "0"], in: folder)
        defer { _ = explorer.interrupt() }
        let document = try ExplorationDocuments.decode(ExplorationDocuments.Codes.self, from: try LoopbackHTTP.request(port: explorer.port, "/api/codes").body)
        #expect(document.domains.map(\.name) == ["top", "bottom"] && document.dataDomain == 1)
        #expect(document.domains.allSatisfy { $0.image == ExplorationDocuments.ImageShape(height: 14, width: 28, channels: 1) })

        let browser = try HeadlessBrowser(width: 1280, height: 900)
        defer { browser.close() }
        try browser.open(explorer.url)
        try browser.wait(until: "window.latentExplorer && latentExplorer.ready")
        #expect(try browser.evaluate("!document.getElementById('domain-control').hidden && latentExplorer.domain") as? String == "bottom")
        let point = try #require(try browser.evaluate("latentExplorer.screenPoint(10)") as? [Double])
        try browser.mouse(.moved, x: point[0], y: point[1])
        try browser.wait(until: "!document.getElementById('hover-translation').hidden && document.getElementById('hover-translation-image').complete && document.getElementById('hover-translation-image').naturalHeight === 14")
        #expect((try browser.evaluate("document.getElementById('hover-translation-image').getAttribute('src')") as? String)?.hasSuffix("?domain=top") == true)
        _ = try browser.evaluate("(() => { const s = document.getElementById('domain'); s.value = '0'; s.dispatchEvent(new Event('change')); return s.value; })()")
        try browser.mouse(.pressed, x: 300, y: 300)
        try browser.mouse(.released, x: 300, y: 300)
        try browser.wait(until: "latentExplorer.lastDecode && document.getElementById('decoded-image').complete && document.getElementById('decoded-image').naturalHeight === 14")
        #expect((try browser.evaluate("document.getElementById('decoded-image').getAttribute('src')") as? String)?.hasSuffix("&domain=top") == true)
        #expect(browser.errors.isEmpty, "the page reported: \(browser.errors)")
    }

    /// A principal tree's page draws the samples and the tree in the data's plane; a click near a
    /// node decodes the tree's point nearest to the sample there.
    @Test(.enabled(if: executablePath("chromium") != nil, "needs chromium (installed by .ci/run)"))
    func aPrincipalGraphIsDrawnWithItsSamples() throws {
        let folder = scratchFolder()
        let fit = try latent("fit", "principal-graph", "--data", "star?n=600&dimension=4&seed=2", "--topology", "tree", "--nodes", "10",
                             "--output", "tree.safetensors", "--quiet", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let explorer = try ExploreProcess(["tree.safetensors", "--data", "star?n=600&dimension=4&seed=2", "--port", "0"], in: folder)
        defer { _ = explorer.interrupt() }
        let browser = try HeadlessBrowser(width: 1280, height: 900)
        defer { browser.close() }
        try browser.open(explorer.url)
        try browser.wait(until: "window.latentExplorer && latentExplorer.ready")
        #expect(try browser.evaluate("latentExplorer.plane") as? String == "data")
        // What does not apply is not shown: no rest point (the plane is the data's), no prior, one domain.
        let shown = "['rest-control', 'density-control', 'domain-control'].map(id => getComputedStyle(document.getElementById(id)).display)"
        #expect(try browser.evaluate(shown) as? [String] == ["none", "none", "none"])
        // The tree's ink: the overlay's dark grey (#222) on the canvas.
        let countDark = "(() => { const c = document.getElementById('scatter'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; "
            + "let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] === 34 && d[i+1] === 34 && d[i+2] === 34) n++; return n; })()"
        let dark = try browser.evaluate(countDark) as? Int
        #expect((dark ?? 0) > 200, "pixels of the tree: \(dark ?? -1)")
        let node = try #require(try browser.evaluate("latentExplorer.nodePoint(4)") as? [Double])
        try browser.mouse(.moved, x: node[0] + 2, y: node[1] + 2)
        try browser.mouse(.pressed, x: node[0] + 2, y: node[1] + 2)
        try browser.mouse(.released, x: node[0] + 2, y: node[1] + 2)
        try browser.wait(until: "latentExplorer.lastDecode && document.querySelector('#decoded-table table') && document.querySelectorAll('#neighbours figure').length === 8")
        #expect((try browser.evaluate("latentExplorer.lastDecode.query") as? String)?.hasPrefix("plane=") == true)
        #expect(browser.errors.isEmpty, "the page reported: \(browser.errors)")
    }

    /// The page in a real headless Chromium, driven by real mouse events: it loads with no
    /// console error; the scatter's pixels have every class's colour; hovering a point shows
    /// its image; clicking decodes that point of the plane to exactly what `latent decode`
    /// makes of the same code, beside its nearest samples; hiding a class removes its colour;
    /// a shift-drag decodes a strip along the path.
    @Test(.enabled(if: executablePath("chromium") != nil, "needs chromium (installed by .ci/run)"))
    func thePageWorksInARealBrowser() throws {
        let (folder, path) = Self.model
        let explorer = try ExploreProcess([path, "--data", "fashion-mnist-mini:train", "--port", "0"], in: folder)
        defer { _ = explorer.interrupt() }
        let browser = try HeadlessBrowser(width: 1280, height: 900)
        defer { browser.close() }
        try browser.open(explorer.url)
        try browser.wait(until: "window.latentExplorer && latentExplorer.ready")
        #expect(try browser.evaluate("latentExplorer.points") as? Int == 5000)

        // Every class's colour is on the canvas.
        let countColours = """
            (() => { const c = document.getElementById('scatter'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              return latentExplorer.colours.map(([r, g, b]) => { let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] === r && d[i+1] === g && d[i+2] === b) n++; return n; }); })()
            """
        let colours = try #require(try browser.evaluate(countColours) as? [Int])
        #expect(colours.count == 10 && colours.allSatisfy { $0 > 50 }, "pixels per class colour: \(colours)")

        // Hovering point 123 shows its sample.
        let point = try #require(try browser.evaluate("latentExplorer.screenPoint(123)") as? [Double])
        try browser.mouse(.moved, x: point[0], y: point[1])
        try browser.wait(until: "latentExplorer.hovered >= 0 && !document.getElementById('hover').hidden && document.getElementById('hover-image').complete && document.getElementById('hover-image').naturalWidth === 28")
        let hovered = try #require(try browser.evaluate("latentExplorer.hovered") as? Int)
        #expect(try browser.evaluate("document.getElementById('hover-image').getAttribute('src')") as? String == "/api/item/\(hovered)")

        // Clicking an empty part of the plane decodes it.
        let (x, y) = (300.0, 200.0)
        try browser.mouse(.moved, x: x, y: y)
        try browser.mouse(.pressed, x: x, y: y)
        try browser.mouse(.released, x: x, y: y)
        try browser.wait(until: "latentExplorer.lastDecode && document.getElementById('decoded-image').complete && document.getElementById('decoded-image').naturalWidth === 28 && document.querySelectorAll('#neighbours figure').length === 8")
        let z = try #require(try browser.evaluate("latentExplorer.lastDecode.z") as? [String]).map { Float(Double($0)!) }
        let clicked = try #require(try browser.evaluate("[latentExplorer.lastDecode.u, latentExplorer.lastDecode.v, ...latentExplorer.planePoint(\(x), \(y))]") as? [Double])
        #expect(abs(clicked[0] - clicked[2]) < 1e-9 && abs(clicked[1] - clicked[3]) < 1e-9)
        // …and the code decoded is the plane's point there: z = o + u·a₁ + v·a₂.
        let axes = try ExplorationDocuments.decode(ExplorationDocuments.Codes.self, from: try LoopbackHTTP.request(port: explorer.port, "/api/codes").body).axes
        let planeCode = axes.code(u: clicked[0], v: clicked[1])
        #expect(zip(z, planeCode).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) }, "clicked code \(z), the plane's \(planeCode)")
        let readPixels = """
            (() => { const i = document.getElementById('decoded-image'); const c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;
              const g = c.getContext('2d'); g.drawImage(i, 0, 0); return Array.from(g.getImageData(0, 0, c.width, c.height).data).filter((_, k) => k % 4 === 0); })()
            """
        let shown = try #require(try browser.evaluate(readPixels) as? [Int])
        try NPY.write(try Tensor(shape: [1, 4], scalars: z), to: folder + "/clicked.npy")
        let decoded = try latent("decode", path, "--codes", "clicked.npy", "--output", "clicked-decoded.npy", "--quiet", in: folder)
        #expect(decoded.status == 0, "\(decoded.errors)")
        let values = try NPY.read(folder + "/clicked-decoded.npy").matrix(file: "clicked-decoded.npy").scalars
        #expect(shown == values.map { Int((min(max($0, 0), 1) * 255).rounded()) }, "the page's decoded image is not `latent decode` of its code")

        // With the other dimensions at the hovered sample's code, a click decodes that code's
        // off-plane part plus the clicked point's place: z = rest(c) + u·a₁ + v·a₂.
        let codes = try ExplorationDocuments.decode(ExplorationDocuments.Codes.self, from: try LoopbackHTTP.request(port: explorer.port, "/api/codes").body)
        let hoveredCode = Array(codes.codes[(hovered * 4)..<((hovered + 1) * 4)])
        _ = try browser.evaluate("(() => { const s = document.getElementById('rest'); s.value = 'hovered'; s.dispatchEvent(new Event('change')); return 0; })()")
        try browser.mouse(.pressed, x: 320, y: 240)
        try browser.mouse(.released, x: 320, y: 240)
        try browser.wait(until: "latentExplorer.lastDecode && Math.abs(latentExplorer.lastDecode.u - latentExplorer.planePoint(320, 240)[0]) < 1e-9")
        let atHovered = try #require(try browser.evaluate("latentExplorer.lastDecode.z") as? [String]).map { Float(Double($0)!) }
        let placed = try #require(try browser.evaluate("[latentExplorer.lastDecode.u, latentExplorer.lastDecode.v]") as? [Double])
        let expectedCode = axes.code(u: placed[0], v: placed[1], rest: PlaneAxes.rest(at: hoveredCode, first: axes.first, second: axes.second))
        #expect(zip(atHovered, expectedCode).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }, "\(atHovered) vs \(expectedCode)")
        _ = try browser.evaluate("(() => { const s = document.getElementById('rest'); s.value = 'mean'; s.dispatchEvent(new Event('change')); return 0; })()")

        // Hiding class 0 takes its colour off the canvas.
        let legend = try #require(try browser.evaluate("(() => { const b = document.querySelector('#legend li[data-label=\"0\"]').getBoundingClientRect(); return [b.left + 5, b.top + b.height / 2]; })()") as? [Double])
        try browser.mouse(.pressed, x: legend[0], y: legend[1])
        try browser.mouse(.released, x: legend[0], y: legend[1])
        try browser.wait(until: "document.querySelector('#legend li[data-label=\"0\"]').classList.contains('off')")
        _ = try browser.evaluate("latentExplorer.redraw()")
        let afterHiding = try #require(try browser.evaluate(countColours) as? [Int])
        #expect(afterHiding[0] == 0 && afterHiding[1...].allSatisfy { $0 > 50 }, "\(afterHiding)")

        // A shift-drag across the plane decodes a strip of 12 images.
        try browser.mouse(.pressed, x: 200, y: 450, shift: true)
        for step in 1...10 { try browser.mouse(.moved, x: 200 + Double(step) * 50, y: 450 - Double(step) * 20, pressed: true, shift: true) }
        try browser.mouse(.released, x: 700, y: 250, shift: true)
        try browser.wait(until: "document.querySelectorAll('#strip-images img').length === 12 && Array.from(document.querySelectorAll('#strip-images img')).every(i => i.complete && i.naturalWidth === 28)")
        #expect(try browser.evaluate("latentExplorer.strip.length") as? Int == 12)

        let screenshot = try browser.screenshot()
        try FileIO.writeAtomically(Array(screenshot), to: folder + "/explore.png")
        #expect(browser.errors.isEmpty, "the page reported: \(browser.errors)")
    }
}
