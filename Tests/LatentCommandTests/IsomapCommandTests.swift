import Foundation
import Latent
import Testing

/// `latent fit isomap`: an S-curve unrolled from the command line with its summary in `--json`,
/// new samples encoded, and a disconnected graph refused with advice.
@Suite struct IsomapCommands {
    @Test func fitEncodeAndADisconnectedGraph() throws {
        let folder = scratchFolder()
        let fit = try latent("fit", "isomap", "--data", "s-curve?n=2500&seed=1", "--neighbours", "10", "--decoder-epochs", "20", "--output", "i.safetensors", "--json", in: folder)
        #expect(fit.status == 0, "\(fit.errors)")
        let fitted = try JSONSerialization.jsonObject(with: Data(fit.output.utf8)) as! [String: Any]
        #expect(fitted["sources"] as? Int == 1_000 && (fitted["edges"] as! Int) > 12_000 && (fitted["eigenvalues"] as! [Double]).count == 2)
        let encoded = try latent("encode", "i.safetensors", "--data", "s-curve?n=40&seed=2", "--output", "codes.npy", in: folder)
        #expect(encoded.status == 0, "\(encoded.errors)")
        #expect(try NPY.read(folder + "/codes.npy").shape == [40, 2])
        let apart = try latent("fit", "isomap", "--data", "blobs?n=90&centers=3&dimension=5", "--neighbours", "5", "--output", "b.safetensors", in: folder)
        #expect(apart.status != 0 && apart.errors.contains("3 connected components") && apart.errors.contains("--neighbours"), "\(apart.errors)")
    }
}
