import Foundation
import Latent
import Testing

/// `latent fit mds`: classical and metric scaling from the command line, their stress in
/// `--json`, the model used to encode, and contradictory or oversized requests refused.
@Suite struct MDSCommands {
    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    @Test func metricScalingLowersTheStressOfClassicalScaling() throws {
        let folder = scratchFolder()
        let classical = try latent("fit", "mds", "--data", "swiss-roll?n=300&seed=2", "--decoder-epochs", "100", "--output", "c.safetensors", "--json", in: folder)
        #expect(classical.status == 0, "\(classical.errors)")
        let metric = try latent("fit", "mds", "--data", "swiss-roll?n=300&seed=2", "--metric-mds", "--initialisations", "2", "--decoder", "none", "--output", "m.safetensors",
                                "--json", in: folder)
        #expect(metric.status == 0, "\(metric.errors)")
        let (c, m) = (try json(classical.output), try json(metric.output))
        #expect((m["stress"] as! Double) < (c["stress"] as! Double) && (m["iterations"] as! Int) > 1 && (c["eigenvalues"] as! [Double]).count == 2)
        #expect(metric.errors.contains("start 2 of 2"), "\(metric.errors)")
        let encoded = try latent("encode", "m.safetensors", "--data", "swiss-roll?n=50&seed=3", "--output", "codes.npy", in: folder)
        #expect(encoded.status == 0, "\(encoded.errors)")
        #expect(try NPY.read(folder + "/codes.npy").shape == [50, 2])
    }

    @Test func contradictionsAndOversizedDataAreRefused() throws {
        let folder = scratchFolder()
        let both = try latent("fit", "mds", "--data", "swiss-roll?n=50", "--metric-mds", "--scaling", "classical", "--output", "m.safetensors", in: folder)
        #expect(both.status != 0 && both.errors.contains("contradict"), "\(both.errors)")
        let big = try latent("fit", "mds", "--data", "swiss-roll?n=5001", "--output", "m.safetensors", in: folder)
        #expect(big.status != 0 && big.errors.contains("beyond its 5000"), "\(big.errors)")
    }
}
