import Autoencoders
import NeuralNetworks
import Testing

/// A configuration declares each hyperparameter once; its validation is the declared ranges.
@Suite struct HyperparameterDeclarations {
    static func declaring<M: Autoencoder>(_ method: M.Type) -> (any HyperparameterDeclaring.Type)? {
        M.Configuration.self as? any HyperparameterDeclaring.Type
    }

    static func violation<C: HyperparameterDeclaring>(ofDefaults configuration: C.Type) -> String? { C.defaults.firstViolation }
    static func names<C: HyperparameterDeclaring>(_ configuration: C.Type) -> [String] { C.hyperparameterNames }

    /// Every built-in method declares its hyperparameters, and its defaults lie in their ranges.
    @Test(arguments: Methods.builtIn.map { $0.methodName })
    func everyMethodDeclaresValidDefaults(_ name: String) throws {
        let method = try #require(Methods.builtIn.first { $0.methodName == name })
        let found = Self.declaring(method)
        let declaring = try #require(found, "\(name) declares no hyperparameters")
        #expect(!Self.names(declaring).isEmpty)
        #expect(Set(Self.names(declaring)).count == Self.names(declaring).count, "a name declared twice")
        #expect(Self.violation(ofDefaults: declaring) == nil)
    }

    @Test func trainingDefaultsLieInTheirRanges() {
        #expect(TrainingConfiguration.defaults.firstViolation == nil)
        #expect(Translator.Domain.defaults.firstViolation == nil && RBM.Configuration.defaults.firstViolation == nil)
        #expect(Translator.Domain(name: "rna", hidden: [64, 0]).firstViolation == "`hidden` must hold values each at least 1, got [64, 0]")
        for training in [VariationalAutoencoder.Configuration.defaultTraining, DeepAutoencoder.Configuration.defaultTraining,
                         NonlinearPCA.Configuration.defaultTraining, LinearAutoencoder.Configuration.defaultTraining, Translator.Configuration.defaultTraining] {
            #expect(training.firstViolation == nil)
        }
    }

    /// The first value out of range is named by its field, with the range and the value.
    @Test func aValueOutOfRangeIsNamedByItsField() throws {
        var vae = VariationalAutoencoder.Configuration()
        vae.beta = 0
        #expect(vae.firstViolation == "`beta` must be positive, got 0")
        #expect(throws: AutoencoderError("vae: `beta` must be positive, got 0")) { try vae.validate(features: 4) }
        vae.beta = .nan
        #expect(vae.firstViolation == "`beta` must be positive, got nan")
        vae.beta = .infinity
        #expect(vae.firstViolation != nil)
        var translator = Translator.Configuration.defaults
        translator.anchorFraction = 1.5
        #expect(translator.firstViolation == "`anchorFraction` must be in [0, 1], got 1.5")
        var graph = PrincipalGraph.Configuration(topology: .curve, nodes: 5)
        graph.trimmingRadius = nil
        #expect(graph.firstViolation == nil, "an optional hyperparameter left unset is in range")
        graph.trimmingRadius = -1
        #expect(graph.firstViolation == "`trimmingRadius` must be positive, got -1")
        var adversarial = AdversarialAutoencoder.Configuration()
        adversarial.criticHidden = []
        #expect(adversarial.firstViolation == "`criticHidden` must hold at least one value, values each at least 1, got []")
    }

    @Test(arguments: [
        (ValidRange<Double>.atLeast(1), [1, 2, 1e9], [0.999, -1, .nan, .infinity], "at least 1"),
        (.greaterThan(0), [1e-30, 3], [0, -1e-30, .nan, .infinity], "positive"),
        (.greaterThan(2), [2.5], [2, 1], "greater than 2"),
        (.from(0, below: 1), [0, 0.5], [1, -0.1, .nan], "in [0, 1)"),
        (.within(0, 1), [0, 1], [1.01, -0.01], "in [0, 1]"),
        (.above(0, upTo: 1), [1, 0.1], [0, 1.1], "in (0, 1]"),
    ])
    func aRangeHoldsWhatItSays(_ range: ValidRange<Double>, _ inside: [Double], _ outside: [Double], _ description: String) {
        #expect(inside.allSatisfy(range.contains))
        #expect(!outside.contains(where: range.contains))
        #expect(range.description == description)
    }

    @Test func aDeclarationIsFoundByItsKeyPath() throws {
        let beta = try #require(VariationalAutoencoder.Configuration.hyperparameter(\.beta))
        #expect(beta.name == "beta" && beta.valid == "positive" && beta.defaultValue == .declared)
        #expect(VariationalAutoencoder.Configuration.hyperparameter(\.conditionClasses) == nil)
        #expect(KMeans.Configuration.hyperparameter(\.clusters)?.defaultValue == .required)
    }
}
