import ArgumentParser
import Foundation
import Latent

extension LatentSpace.Path: ExpressibleByArgument {}

/// What the latent-space commands share: the model, the data whose samples they start from,
/// and where the decoded strips go.
struct ExploreOptions: ParsableArguments {
    @Argument(help: "A model file written by `latent fit`.", transform: WorkingDirectory.file) var model: String
    @Option(help: "The data whose samples the walk starts from.", transform: WorkingDirectory.spec) var data: String
    @Option(help: "Where to write the decoded codes: .png (one strip per row), .npy or .csv (the rows one after another).", transform: WorkingDirectory.file)
    var output: String
    @OptionGroup var imageOptions: ImageOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        guard ["png", "npy", "csv"].contains((output as NSString).pathExtension.lowercased()) else {
            throw ValidationError("--output must end in .png, .npy or .csv")
        }
    }

    /// The model (which must have continuous codes), its file and the data, checked.
    func load() throws -> (model: any Autoencoder, file: SafeTensorsFile, data: Dataset) {
        try checkOutput(output, isNotAnyOf: [model, data])
        let (file, loaded) = try readModel(model)
        try refuseConditional(loaded, path: model, "interpolate, traverse and attribute")
        guard !(loaded is any DiscreteCodes) else {
            throw ValidationErrorText("\(model) holds a \(type(of: loaded).methodName) model: its codes are cluster indices, with nothing between them to walk through")
        }
        let dataset = try dataOptions.load(data, labels: dataOptions.labels, for: loaded, in: file, path: model)
        return (loaded, file, dataset)
    }

    /// Sample `index` of `data` (`1 × D`), or an error naming the valid range.
    func sample(_ index: Int, of data: Dataset) throws -> Tensor {
        guard index >= 0, index < data.count else {
            throw ValidationErrorText("sample \(index) does not exist: \(data.name) has samples 0 … \(data.count - 1)")
        }
        return data.samples.rows(index..<(index + 1))
    }

    /// Decodes each row's codes and writes them: PNG strips, or all rows stacked.
    func write(_ rows: [(label: String, codes: Tensor)], model loaded: any Autoencoder, file: SafeTensorsFile, title: String) throws {
        var decoded = try rows.map { (label: $0.label, samples: try loaded.decode($0.codes)) }
        if let scaling = (loaded as? any ScaledModel)?.scaling {
            decoded = try decoded.map { ($0.label, try scaling.addingOrigin($0.samples)) }
        }
        for row in decoded { try row.samples.checkFinite("the decoded codes of \(row.label)") }
        if (output as NSString).pathExtension.lowercased() == "png" {
            try writeImageGrid(decoded.map { ImageGrid.Row(label: $0.label, images: $0.samples) }, to: output, file: file, model: model, title: title,
                               scale: imageOptions.imageScale)
        } else {
            try writeSamples(Tensor.concatenate(decoded.map(\.samples)), to: output, file: file, model: model, title: title)
        }
        let count = decoded.reduce(0) { $0 + $1.samples.rows }
        report(WrittenFile(output: output, samples: count, rows: decoded.count),
               message: "wrote \(decoded.count) row\(decoded.count == 1 ? "" : "s") of decoded codes (\(count) samples) to \(output)", options: outputOptions)
    }
}

/// Parses "0,5,7" into integers, naming the option in the error.
func integerList(_ text: String, option: String) throws -> [Int] {
    let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { throw ValidationError("\(option) takes integers separated by commas, not '\(text)'") }
    return values.map { $0! }
}

/// Parses "-1,0,0.5" into numbers, naming the option in the error.
func numberList(_ text: String, option: String) throws -> [Float] {
    let values = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0!.isFinite }) else {
        throw ValidationError("\(option) takes numbers separated by commas, not '\(text)'")
    }
    return values.map { $0! }
}

struct Interpolate: ComputingCommand {
    var computeOptions: ComputeOptions { options.compute }
    static let configuration = CommandConfiguration(
        abstract: "Decode the codes between pairs of samples.",
        discussion: """
            For each pair (--from I, --to J: row indices of --data, 0-based, lists pair up in order), --steps codes \
            from ENCODE(I) to ENCODE(J), decoded. --path spherical (the default for a VAE, whose codes are \
            Gaussian) follows the great circle between the codes (White 2016); linear the straight line.
            """)

    @OptionGroup var options: ExploreOptions
    @Option(help: "Row indices of the first samples, separated by commas.") var from: String
    @Option(help: "Row indices of the second samples, as many as --from.") var to: String
    @Option(help: "Codes per pair, both ends included.") var steps: Int = 10
    @Option(help: .defaulted("linear or spherical.", rule: "spherical for a VAE, else linear")) var path: LatentSpace.Path?

    func validate() throws {
        if steps < 2 { throw ValidationError("--steps must be at least 2, got \(steps)") }
        let (a, b) = (try integerList(from, option: "--from"), try integerList(to, option: "--to"))
        if a.count != b.count { throw ValidationError("--from names \(a.count) samples but --to names \(b.count)") }
    }

    func run() throws {
        let (model, file, data) = try options.load()
        let path = self.path ?? (model is any ProbabilisticEncoder ? .spherical : .linear)
        let pairs = zip(try integerList(from, option: "--from"), try integerList(to, option: "--to"))
        let rows = try pairs.map { i, j in
            let (a, b) = (try model.encode(try options.sample(i, of: data)), try model.encode(try options.sample(j, of: data)))
            return (label: "\(i) → \(j)", codes: try LatentSpace.interpolate(from: a, to: b, steps: steps, path: path))
        }
        try options.write(rows, model: model, file: file, title: "Decoded codes between samples (\(path.rawValue))")
    }
}

struct Traverse: ComputingCommand {
    var computeOptions: ComputeOptions { options.compute }
    static let configuration = CommandConfiguration(
        abstract: "Decode codes along latent axes: one coordinate swept, the others held.",
        discussion: """
            Starts from the code of --sample (or the mean code of --data) and sweeps each of --dimensions \
            (0-based, as the code columns z0, z1, … are named; default the first 8) over ± --range standard deviations of that coordinate among --data's \
            codes, in --steps steps; one row per dimension.
            """)

    @OptionGroup var options: ExploreOptions
    @Option(help: .defaulted("The row index of the sample to start from.", rule: "the mean code")) var sample: Int?
    @Option(help: .defaulted("Code dimensions to sweep, 0-based (z0, z1, …), separated by commas.", rule: "the first 8")) var dimensions: String?
    @Option(help: "Codes per dimension.") var steps: Int = 9
    @Option(help: "How far to sweep, in standard deviations of the coordinate.") var range: Float = 2

    func validate() throws {
        if steps < 2 { throw ValidationError("--steps must be at least 2, got \(steps)") }
        if !(range > 0 && range.isFinite) { throw ValidationError("--range must be positive, got \(range)") }
        if let dimensions { _ = try integerList(dimensions, option: "--dimensions") }
    }

    func run() throws {
        let (model, file, data) = try options.load()
        let codes = try model.encode(data.samples)
        let mean = codes.mean(alongAxis: 0).reshaped([1, codes.columns])
        let deviation = ((codes - mean) * (codes - mean)).mean(alongAxis: 0).sqrt().scalars
        let start = try sample.map { try model.encode(try options.sample($0, of: data)) } ?? mean
        let chosen = try dimensions.map { try integerList($0, option: "--dimensions") } ?? Array(0..<min(8, codes.columns))
        let rows = try chosen.map { dimension in
            guard dimension >= 0, dimension < codes.columns else {
                throw ValidationErrorText("--dimensions: code dimension \(dimension) does not exist (0 … \(codes.columns - 1), numbered from 0 as z0, z1, …)")
            }
            let width = range * deviation[dimension]
            let offsets = (0..<steps).map { -width + 2 * width * Float($0) / Float(steps - 1) }
            return (label: "z\(dimension): ±\(range)σ", codes: try LatentSpace.traverse(start, dimension: dimension, offsets: offsets))
        }
        try options.write(rows, model: model, file: file, title: "Decoded codes along latent axes")
    }
}

struct Attribute: ComputingCommand {
    var computeOptions: ComputeOptions { options.compute }
    static let configuration = CommandConfiguration(
        abstract: "Move samples along an attribute vector: the mean code of one class minus that of another.",
        discussion: """
            The attribute vector is mean(ENCODE(x) for x of class --with) − mean(ENCODE(x) for x of class \
            --without), over --data's labelled samples (classes by name, or by integer label); it is added with \
            each of --strengths to the codes of --samples and decoded, one row per sample.
            """)

    @OptionGroup var options: ExploreOptions
    @Option(help: "The class that has the attribute (a class name or an integer label).") var with: String
    @Option(help: "The class that lacks it.") var without: String
    @Option(help: "Row indices of the samples to move, separated by commas.") var samples: String
    @Option(help: "Multiples of the vector to add, separated by commas.") var strengths: String = "0,0.5,1,1.5,2"

    func validate() throws {
        _ = try integerList(samples, option: "--samples")
        _ = try numberList(strengths, option: "--strengths")
    }

    func run() throws {
        let (model, file, data) = try options.load()
        guard let labels = data.labels else {
            throw ValidationErrorText("\(data.name) has no labels: an attribute vector needs classes (--label-column or --labels)")
        }
        let (present, absent) = (try classIndex(with, in: data, option: "--with"), try classIndex(without, in: data, option: "--without"))
        let vector = try LatentSpace.attributeVector(codes: try model.encode(data.samples), labels: labels, with: present, without: absent)
        let amounts = try numberList(strengths, option: "--strengths")
        let rows = try integerList(samples, option: "--samples").map { index in
            (label: "sample \(index)", codes: try LatentSpace.apply(vector, to: try model.encode(try options.sample(index, of: data)), strengths: amounts))
        }
        try options.write(rows, model: model, file: file, title: "Samples moved along \(with) − \(without)")
    }
}

/// The label of class `name` in `data`: a class name, or an integer label the data has.
func classIndex(_ name: String, in data: Dataset, option: String) throws -> Int {
    if let names = data.classNames {
        if let index = names.firstIndex(of: name) { return index }
        throw ValidationErrorText("\(option) \(name): no such class in \(data.name) (classes: \(names.joined(separator: ", ")))")
    }
    let present = Set(data.labels ?? [])
    guard let label = Int(name), present.contains(label) else {
        throw ValidationErrorText("\(option) \(name): no such class in \(data.name) (labels: \(present.sorted().map(String.init).joined(separator: ", ")))")
    }
    return label
}
