import Foundation
import Latent
import Testing
import TestSupport

/// The README's "Your own data" examples, run as written: every `latent …` line of the
/// section's code blocks, through a shell, on small files this test writes under the names the
/// README uses.
@Suite struct ReadmeUserData {
    /// The `latent` command lines of the README section headed `## SECTION`.
    static func commands(section: String = "Your own data") throws -> [String] {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        guard let start = text.range(of: "## \(section)\n") else { return [] }
        let section = text[start.upperBound...].prefix { _ in true }
        let body = section.components(separatedBy: "\n## ").first ?? ""
        var commands: [String] = [], inCode = false
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inCode.toggle(); continue }
            if inCode, ["latent ", "mpirun ", "mpiexec "].contains(where: line.hasPrefix) { commands.append(String(line)) }
        }
        return commands
    }

    /// The files the examples name: flowers with species (semicolons), cells with their types
    /// in a labels file, a wine-like table of very different column spreads, and a folder of
    /// NPY shards.
    func writeFiles(in folder: String) throws {
        var generator = RandomGenerator(seed: 11)
        func table(_ rows: Int, _ names: [String], centres: [[Double]], spread: Double) -> [([Double], Int)] {
            (0..<rows).map { i in
                let label = i % names.count
                return (centres[label].map { $0 + spread * generator.nextNormal() }, label)
            }
        }
        let species = ["setosa", "versicolor", "virginica"]
        let centres = [[5.0, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.6, 2.0]]
        for (name, rows, kept) in [("flowers-train.csv", 90, [0, 1, 2]), ("flowers-test.csv", 40, [2, 1])] {
            let lines = table(rows, species, centres: centres, spread: 0.25).filter { kept.contains($0.1) }.map { row in
                row.0.map { String(format: "%.2f", $0) }.joined(separator: ";") + ";" + species[row.1]
            }
            try (["sepal length;sepal width;petal length;petal width;species"] + lines).joined(separator: "\n")
                .write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        let cells = table(120, ["B", "T", "NK"], centres: [[0, 0, 5, 1], [4, 1, 0, 0], [0, 5, 1, 3]], spread: 0.7)
        try NPY.write(try Tensor(shape: [120, 4], scalars: cells.flatMap { $0.0.map(Float.init) }), to: folder + "/cells.npy")
        try (["cell type"] + cells.map { ["B", "T", "NK"][$0.1] }).joined(separator: "\n").write(toFile: folder + "/cell-types.csv", atomically: true, encoding: .utf8)
        let wine = (0..<150).map { i -> String in
            let t = generator.nextNormal()
            return [13 + 0.8 * t, 2.3 + 1.1 * generator.nextNormal(), 100 + 14 * t + 3 * generator.nextNormal(),
                    750 + 300 * t + 50 * generator.nextNormal(), 0.36 + 0.12 * generator.nextNormal()]
                .map { String(format: "%.4f", $0) }.joined(separator: ",") + ",\(i % 3)"
        }
        try (["alcohol,malic acid,magnesium,proline,nonflavanoid phenols,target"] + wine).joined(separator: "\n")
            .write(toFile: folder + "/wine.csv", atomically: true, encoding: .utf8)
        // "Data larger than memory": 20 shards of 100 columns, as its NumPy line writes (smaller).
        try FileManager.default.createDirectory(atPath: folder + "/shards", withIntermediateDirectories: false)
        for part in 0..<20 {
            try NPY.write(Tensor.randomUniform([500, 100], using: &generator), to: folder + "/shards/part-\(String(format: "%03d", part)).npy")
        }
    }

    @Test func everyCommandRunsAsWritten() throws {
        let commands = try Self.commands()
        #expect(commands.count >= 8, "the README section lost its examples: \(commands)")
        let folder = scratchFolder()
        try writeFiles(in: folder)
        let binaries = URL(fileURLWithPath: try latentExecutable()).deletingLastPathComponent().path
        var stderr: [String] = []
        // MPICH's library crashes AddressSanitizer's runtime as it loads: a sanitizer build skips its line.
        let mpich = !MPILibrary.instrumentedWithAddressSanitizer
        for written in commands where mpich || !written.hasPrefix("mpiexec ") {
            // As root, on a test machine of few cores, mpirun needs to be told both are fine.
            // `mpirun` is Open MPI's, `mpiexec` MPICH's (Debian names both by their MPI, beside
            // the alternative that points to one of them).
            let command = written.hasPrefix("mpirun ")
                ? "$(command -v mpirun.openmpi || echo mpirun) --allow-run-as-root --oversubscribe " + written.dropFirst("mpirun ".count)
                : written.hasPrefix("mpiexec ") ? "$(command -v mpiexec.mpich || echo mpiexec) " + written.dropFirst("mpiexec ".count) : written
            let result = try runProcess("/bin/sh", ["-c", "cd '\(folder)' && PATH='\(binaries)':\"$PATH\" \(command) --threads 1"])
            #expect(result.status == 0, "\(command): \(result.errors)")
            stderr.append(result.errors)
        }
        // What the README says the examples show.
        #expect(stderr.joined().contains("hint: column variances range"), "no scaling hint for the raw wine table")
        let decoded = try CSV.read(folder + "/wine-decoded.csv")
        #expect(decoded.featureNames == ["alcohol", "malic acid", "magnesium", "proline", "nonflavanoid phenols"])
        // "Across processes": two processes and one with the same parts write the same model.
        let tensors = try (["deep2", "deep1"] + (mpich ? ["deep3"] : [])).map { name in try SafeTensorsFile.read(folder + "/\(name).safetensors").tensors.map { $0.tensor.scalars } }
        #expect(tensors.allSatisfy { $0 == tensors[0] } && !tensors[0].isEmpty)
        let codes = try String(contentsOfFile: folder + "/flower-codes.csv", encoding: .utf8)
        #expect(codes.hasPrefix("z0,z1,species\n") && codes.contains(",virginica\n") && !codes.contains("setosa"))
    }
}

/// The README's table of methods names every `latent fit` command, and only those.
@Test func theReadmeTableListsEveryMethod() throws {
    let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md")
    let text = try String(contentsOf: readme, encoding: .utf8)
    let section = try #require(text.components(separatedBy: "\n## Methods\n").dropFirst().first?.components(separatedBy: "\n## ").first)
    let listed = section.split(separator: "\n").filter { $0.hasPrefix("| ") }.compactMap { row -> String? in
        guard let range = row.range(of: "`latent fit ") else { return nil }
        return String(row[range.upperBound...].prefix { $0 != "`" })
    }
    let help = try latent("fit", "--help", in: scratchFolder()).output
    // Subcommands start two spaces in; their descriptions' further lines, more.
    let commands = help.components(separatedBy: "SUBCOMMANDS:").last!.split(separator: "\n")
        .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") && !$0.contains("See 'latent") }.compactMap { $0.split(separator: " ").first.map(String.init) }
    #expect(listed.count == Set(listed).count && Set(listed) == Set(commands), "README: \(listed); latent fit: \(commands)")
    #expect(Set(listed).isSuperset(of: Methods.builtIn.map { $0.methodName }.filter { $0 != "rbm" }))
}
