import DataFormats
import Foundation
import Neighbourhoods
import NeuralNetworks
import Tensors

extension ParametricUMAP {
    /// Fits the encoder to `samples` (`n × D`): UMAP's graph (each sample's k − 1 nearest
    /// others, exact below UMAP's limit and by NN-descent above, their fuzzy simplicial set),
    /// then Adam on the cross entropy (``crossEntropy(heads:tails:weights:negativeRate:curve:repulsion:)``)
    /// over mini-batches of the graph's edges, each undirected edge once an epoch, weighted by its
    /// membership; then the decoder (``Configuration/decoder``) on the pairs (f(x), x), or with
    /// ``Configuration/reconstructionWeight`` λ > 0 the decoder with the encoder, on the loss
    /// cross entropy + λ·(the decoder's loss on the batch's heads).
    /// `progress` hears the batches of both and may throw to stop.
    public static func fit(_ samples: Tensor, configuration: Configuration, using generator: inout RandomGenerator,
                           settings: ComputeSettings = .current, progress: @escaping (TrainingProgress) throws -> Void = { _ in }) throws -> ParametricUMAP {
        try checkTrainingSamples(samples, method: "parametric UMAP", minimumCount: 2)
        let n = samples.rows
        try configuration.validate(samples: n)
        try configuration.decoder.check(samples, method: "parametric UMAP")
        // Edge rows carry their ends as Float32, exact up to 2²⁴.
        guard n <= 1 << 24 else { throw AutoencoderError("parametric UMAP indexes at most \(1 << 24) samples in its edge rows; got \(n)") }
        let exact = n < UMAP.Configuration.exactNeighboursLimit
        let searchSeed = generator.next()
        let k = configuration.neighbours - 1
        let neighbours = exact ? try NearestNeighbours.exact(samples, k: k, settings: settings)
                               : try NearestNeighbours.descent(samples, k: k, seed: searchSeed, settings: settings)
        let graph = FuzzySimplicialSet(graph: neighbours).graph
        var rows: [Float] = []
        for i in 0..<n {
            for e in graph.rowStart[i]..<graph.rowStart[i + 1] where Int(graph.columns[e]) > i {
                rows += [Float(i), Float(graph.columns[e]), graph.weights[e]]
            }
        }
        let edges = rows.count / 3
        guard edges >= 1 else { throw AutoencoderError("parametric UMAP: the samples' fuzzy graph has no edges (every sample the same?)") }
        let layout = encoderLayout(configuration, features: samples.columns)
        let encoder = LayerStack.trainable(widths: layout.widths, activations: layout.activations, initializer: .he, using: &generator)
        let training = TrainingConfiguration(epochs: configuration.epochs, batchSize: configuration.batchSize, learningRate: configuration.learningRate,
                                             heldOutFraction: 0)
        let (curve, rate, repulsion) = (configuration.curve, configuration.negativeSampleRate, Float(configuration.repulsionStrength))
        // With a reconstruction weight the decoder trains with the encoder, on the heads' samples
        // in the learned decoder's units (centred and scaled for squared error).
        let joint = configuration.reconstructionWeight > 0
        let decoding = configuration.decoder
        let bce = decoding.loss == .binaryCrossEntropy
        let (outputMean, outputScale) = bce ? (Tensor.zeros([samples.columns]), Tensor([1])) : LearnedDecoder.centre(samples)
        let targets = joint ? (samples - outputMean) * (1 / outputScale.scalars[0]) : samples
        let decoderWidths = [configuration.components] + decoding.hidden + [samples.columns]
        let decoderNetwork = joint ? LayerStack.trainable(widths: decoderWidths, activations: Array(repeating: decoding.activation, count: decoding.hidden.count) + [.linear],
                                                          initializer: .he, using: &generator) : nil
        let weight = Float(configuration.reconstructionWeight)
        let loss: (Tensor) -> Variable = { batch in
            let ends = batch.scalars
            let heads = stride(from: 0, to: ends.count, by: 3).map { Int(ends[$0]) }
            let tails = stride(from: 1, to: ends.count, by: 3).map { Int(ends[$0]) }
            let weights = Tensor(stride(from: 2, to: ends.count, by: 3).map { ends[$0] })
            let headCodes = encoder(Variable(samples.gatherRows(heads)))
            let crossEntropy = crossEntropy(heads: headCodes, tails: encoder(Variable(samples.gatherRows(tails))), weights: weights, negativeRate: rate,
                                            curve: curve, repulsion: repulsion)
            guard let decoderNetwork else { return crossEntropy }
            return crossEntropy + decoding.loss(decoderNetwork(headCodes), targets.gatherRows(heads)) * weight
        }
        let parameters = encoder.namedParameters(prefix: "encoder") + (decoderNetwork?.namedParameters(prefix: LearnedDecoder.stageName) ?? [])
        let record = try Trainer(training, phase: encoderStage).run(
            parameters: parameters, samples: try Tensor(shape: [edges, 3], scalars: rows), heldOut: nil,
            using: &generator, hooks: TrainingHooks(progress: progress), loss: loss, heldOutLoss: { Double(loss($0).value.scalars[0]) })
        let stack = LayerStack(encoder)
        let embedding = stack(samples)
        try embedding.checkFinite("parametric UMAP's codes")
        let summary = Summary(edges: edges, epochs: configuration.epochs, exactNeighbours: exact, a: curve.a, b: curve.b, loss: record.trainLoss)
        let decoder: LearnedDecoder?
        if let decoderNetwork {
            var network = LayerStack(decoderNetwork)
            if bce {
                let last = network.layers.last!
                network = LayerStack(layers: network.layers.dropLast() + [LayerStack.Layer(weight: last.weight, bias: last.bias, activation: .sigmoid)])
            }
            // Its losses are the encoder's stage's: it keeps no record of its own (as a loaded one).
            decoder = LearnedDecoder(configuration: decoding, codeMean: Tensor.zeros([configuration.components]), codeScale: Tensor([1]),
                                     outputMean: outputMean, outputScale: outputScale, network: network, record: TrainingRecord())
        } else {
            decoder = try learnDecoder(codes: embedding, samples: samples, configuration: configuration, seed: generator.next(), progress: progress)
        }
        return ParametricUMAP(configuration: configuration, reference: samples, embedding: embedding, encoder: stack, summary: summary, decoder: decoder)
    }


    /// The encoder's training (its loss each epoch), then the decoder's (with a reconstruction
    /// weight, one stage: they trained together).
    public var trainingHistory: TrainingHistory? {
        let joint = configuration.reconstructionWeight > 0
        let encoding = TrainingHistory.Stage(name: Self.encoderStage, loss: "UMAP cross entropy per unit of edge weight"
                                             + (joint ? " + \(configuration.reconstructionWeight) × the decoder's \(configuration.decoder.loss.displayName)" : ""),
                                             record: TrainingRecord(trainLoss: summary.loss, keptEpoch: summary.loss.count))
        return TrainingHistory(stages: [encoding] + (joint ? [] : decoder.map { [$0.historyStage] } ?? []))
    }
}
