import Latent
import Foundation
@MainActor func profilePieces() {
    ComputeSettings.current = ComputeSettings(backend: .builtIn(.detected), threads: 1)
    let layer = Dense(inputs: 784, outputs: 1000, activation: .sigmoid, using: &generator)
    let optimizer = Adam(parameters: layer.parameters)
    let x = Tensor.randomUniform([128, 784], using: &generator)
    let target = Tensor.randomUniform([128, 1000], using: &generator)
    let b = layer.bias.value
    func p(_ name: String, _ body: () -> Void) { print(name, String(format: "%.3f ms", medianSeconds(repetitions: repetitions, body) * 1000)) }
    p("bias broadcast") { _ = Tensor.zeros([128, 1000]) + b }
    let y = layer(x)
    p("sigmoid") { _ = y.sigmoid() }
    p("zeros 1000x784") { _ = Tensor.zeros([1000, 784]) }
    p("forward var") { _ = layer(Variable(x, requiresGradient: true)) }
    p("loss") { _ = squaredError(Variable(y), target) }
    p("sum axis0") { _ = y.sum(alongAxis: 0) }
    for p0 in layer.parameters { p0.gradient = Tensor.ones(p0.shape) }
    p("adam") { optimizer.step() }
    p("full step no adam") {
        optimizer.zeroGradients()
        let input = Variable(x, requiresGradient: true)
        let loss = squaredError(layer(input), target)
        loss.backward()
    }
}
