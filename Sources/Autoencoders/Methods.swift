import DataFormats
import Foundation
import Tensors

/// Every method by name, for loading model files whose method is not known in advance: the
/// library's own, and those registered by code outside it (``register(_:)``).
public enum Methods {
    /// The library's methods.
    public static let builtIn: [any Autoencoder.Type] = [KMeans.self, PCA.self, LinearAutoencoder.self, NonlinearPCA.self, RBM.self, DeepAutoencoder.self,
                                                           VariationalAutoencoder.self, WassersteinAutoencoder.self, AdversarialAutoencoder.self,
                                                           Translator.self, PrincipalGraph.self, TSNE.self, ParametricTSNE.self, UMAP.self, ParametricUMAP.self, MDS.self, Isomap.self]

    /// The methods a model file can hold: the built-in ones, then the registered ones in the
    /// order of their registration.
    public static var all: [any Autoencoder.Type] { builtIn + registry.methods }

    /// Makes `method` known to ``load(from:)`` and everything that reads model files by
    /// method name. Registering it again does nothing; another method of the same name is an
    /// error.
    public static func register(_ method: any Autoencoder.Type) throws {
        if let existing = all.first(where: { $0.methodName == method.methodName }) {
            guard ObjectIdentifier(existing) == ObjectIdentifier(method) else {
                throw AutoencoderError("cannot register \(method): the method name '\(method.methodName)' is taken by \(existing)")
            }
            return
        }
        registry.add(method)
    }

    private static let registry = Registry()

    /// The registered methods, behind a lock: registration may happen on any thread.
    private final class Registry: @unchecked Sendable {
        private let lock = NSLock()
        private var registered: [any Autoencoder.Type] = []
        var methods: [any Autoencoder.Type] { lock.withLock { registered } }
        func add(_ method: any Autoencoder.Type) { lock.withLock { registered.append(method) } }
    }

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
        guard file.metadata[ModelFileSchema.scaling.key] != nil else { return try method.init(file: file, path: path) }
        func loadScaled<M: Autoencoder>(_ type: M.Type) throws -> any Autoencoder { try Scaled<M>(file: file, path: path) }
        return try loadScaled(method)
    }
}

extension Autoencoder {
    fileprivate init(file: SafeTensorsFile, path: String) throws {
        try self.init(configuration: file.configuration(Configuration.self, file: path), state: file, file: path)
    }
}
