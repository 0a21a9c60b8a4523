import ArgumentParser
import Dispatch
import Exploration
import Foundation
import Latent
import Synchronization

/// `latent explore MODEL --data SPEC`: the latent space in the browser, served from this machine.
struct ExploreInBrowser: ComputingCommand {
    var computeOptions: ComputeOptions { compute }
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Explore a latent space in the browser: hover a code to see its sample, click anywhere to decode it.",
        discussion: """
            Serves a page and its API (docs/explore.md) from this machine and prints its URL on stdout \
            (--json: one JSON object with it). The page draws the data's codes (up to 100 000) in the plane \
            of their first two dimensions, or of their first two principal components when wider; hovering \
            shows a sample, clicking decodes that point of the plane beside the nearest real samples, and a \
            drawn path is decoded along its length. A translator's page decodes into any of its domains; a \
            principal graph's draws the samples and the graph in the data's plane. Everything is served from memory, with no network access; \
            it binds 127.0.0.1 unless --host says otherwise. Ctrl-C stops it.
            """)

    @Argument(help: "A model file written by `latent fit`.", transform: WorkingDirectory.file) var model: String
    @Option(help: "The data whose codes are drawn (labels colour them).", transform: WorkingDirectory.spec) var data: String
    @Option(help: "The port to listen on; 0 picks a free one.") var port: Int = 8765
    @Option(help: "The address to listen on; another than 127.0.0.1 lets other machines read the data and the model.")
    var host: String = ExplorationServer.defaultHost
    @Option(help: "Seed of the draw of 100 000 codes from larger data.") var seed: UInt64 = 0
    @Option(help: .defaulted("A translator: the domain --data belongs to; the page decodes into any domain.", rule: "its first"))
    var domain: String?
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 … 65535, got \(port)") }
        guard !host.isEmpty else { throw ValidationError("--host must name an address, e.g. 127.0.0.1") }
    }

    /// The model, the data and their codes; a translator's with each of its domains.
    func loadSpace() throws -> ExplorationSpace {
        let (file, loaded) = try readModel(model)
        let name = (model as NSString).lastPathComponent
        guard let translator = loaded as? Translator else {
            if domain != nil { throw ValidationErrorText("--domain: \(model) holds a \(type(of: loaded).methodName) model, which has one domain") }
            let dataset = try dataOptions.load(data, labels: dataOptions.labels, for: loaded, in: file, path: model)
            // Images only where a shape says so (the model's, else the data's): a table of 4 or 9
            // columns is no 2 × 2 or 3 × 3 picture.
            let shape = (try file.sampleShape(file: model) ?? dataset.sampleShape).flatMap { ImageGrid.drawableShape($0, features: dataset.features) }
            return try ExplorationSpace(model: loaded, data: dataset, imageShape: shape, valueRange: try file.valueRange(file: model),
                                        featureNames: try file.featureNames(file: model) ?? dataset.featureNames, modelName: name, seed: seed)
        }
        let dataDomain = domain ?? translator.domainNames[0]
        let (_, _, dataset) = try loadDomainData(model: model, data: data, domain: dataDomain, options: dataOptions.reading, labels: dataOptions.labels)
        let (shapes, names) = (try file.domainSampleShapes(file: model), try file.domainFeatureNames(file: model))
        let domains = translator.domainNames.enumerated().map { index, domainName in
            let features = translator.inputSize(domain: index)
            return ExplorationDomain(name: domainName, features: features, imageShape: shapes[domainName].flatMap { ImageGrid.drawableShape($0, features: features) },
                                     featureNames: names[domainName].flatMap { $0.count == features ? $0 : nil })
        }
        return try ExplorationSpace(model: loaded, data: dataset, domains: domains, dataDomain: try translator.domainIndex(named: dataDomain),
                                    valueRange: nil, modelName: name, seed: seed)
    }

    /// What `--json` prints once the server listens.
    struct Listening: Encodable {
        let url: String
        let host: String
        let port: Int
        let samples: Int
        let shown: Int
        let codeSize: Int

        enum CodingKeys: String, CodingKey { case url, host, port, samples, shown, codeSize = "code_size" }
    }

    func run() throws {
        let space: ExplorationSpace
        do {
            space = try loadSpace()
        } catch let error as ExplorationError {
            throw ValidationErrorText(error.message)
        }
        if !["127.0.0.1", "localhost", "::1"].contains(host), !outputOptions.quiet {
            Console.error("warning: serving on \(host): whoever reaches this machine's port \(port) can see the data's samples and the model's decodings\n")
        }
        let server = try ExplorationServer(space: space, host: host, port: port, context: ComputeContext(settings: .current))
        let outcome = Mutex<(any Error)?>(nil)
        let finished = DispatchSemaphore(value: 0)
        let (json, quiet) = (outputOptions.json, outputOptions.quiet)
        Task {
            do {
                try await server.run(stopsOnSignals: true) { bound in
                    let shownHost = host.contains(":") ? "[\(host)]" : host
                    let url = "http://\(shownHost):\(bound)/"
                    if json {
                        try? printJSON(Listening(url: url, host: host, port: bound, samples: space.data.count, shown: space.shown.count, codeSize: space.codeSize))
                    } else {
                        Console.line(url)
                    }
                    if !quiet {
                        Console.error("exploring \(space.modelName) on \(space.shown.count) codes of \(space.data.name): open \(url) (Ctrl-C stops)\n")
                    }
                }
            } catch {
                outcome.withLock { $0 = error }
            }
            finished.signal()
        }
        finished.wait()
        if let error = outcome.withLock({ $0 }) {
            let text = "\(error)"
            if text.contains("Address already in use") {
                throw ValidationErrorText("cannot listen on \(host):\(port): the port is in use; choose another with --port (0 picks a free one)")
            }
            throw ValidationErrorText("the explorer's server on \(host):\(port) stopped: \(text)")
        }
        if !quiet { Console.error("stopped\n") }
    }
}
