import DataFormats
import Tensors

/// Every method by name, for loading model files whose method is not known in advance.
public enum Methods {
    /// The methods a model file can hold.
    public static let all: [any Autoencoder.Type] = [KMeans.self, PCA.self, LinearAutoencoder.self, NonlinearPCA.self, RBM.self, DeepAutoencoder.self, VariationalAutoencoder.self, WassersteinAutoencoder.self,
                                                       AdversarialAutoencoder.self, Translator.self, PrincipalGraph.self]

    /// Loads the model in `path`, whatever its method.
    public static func load(from path: String) throws -> any Autoencoder {
        try load(try SafeTensorsFile.read(path), path: path)
    }

    /// The model in an already read model `file`, whatever its method; `path` names it in errors.
    public static func load(_ file: SafeTensorsFile, path: String) throws -> any Autoencoder {
        let name = try file.method(file: path)
        try file.checkFinite(file: path)
        guard let method = all.first(where: { $0.methodName == name }) else {
            throw DataFormatError(path, .entry("__metadata__"), "unknown method '\(name)' (known: \(all.map { $0.methodName }.joined(separator: ", ")))")
        }
        guard file.metadata[SafeTensorsFile.scalingKey] != nil else { return try method.init(file: file, path: path) }
        func loadScaled<M: Autoencoder>(_ type: M.Type) throws -> any Autoencoder { try Scaled<M>(file: file, path: path) }
        return try loadScaled(method)
    }
}

extension Autoencoder {
    fileprivate init(file: SafeTensorsFile, path: String) throws {
        try self.init(configuration: file.configuration(Configuration.self, file: path), state: file, file: path)
    }
}
