import Tensors

/// Stops a run whose steps are wrecking its weights while every loss stays finite (Adam at a
/// learning rate of 10³ saturates every unit without a NaN), with the epoch and batch.
///
/// A batch whose loss L exceeds L̄ + f·max(|L̄|, 1), where L̄ is the first epoch's mean loss (the
/// mean of its batches so far, during it) and f = ``Trainer/divergenceFactor``, is suspicious;
/// batches differ, though (unscaled data, a learned variance: a VAE's first batches can differ
/// 300-fold), so a suspicious batch is confirmed on a fixed probe: the first `batch size`
/// training rows, whose loss was measured before the first step. Only when the probe's loss
/// also grew past P₀ + f·max(|P₀|, 1) is the run diverged. The floor of 1 keeps data with almost
/// nothing to reconstruct (constant columns, losses near 10⁻⁸) from being called diverged when
/// the loss wanders to 10⁻⁴; exploding weights give losses of 10⁵ and more whatever the scale.
struct DivergenceGuard {
    /// The probe's rows and its loss before training (stored in checkpoints, so a resumed run
    /// judges exactly as the uninterrupted one).
    let probe: Tensor
    let probeLoss: Double

    /// The probe (a run's first `batch size` rows); its loss from `resumed` when a checkpoint
    /// holds it, else measured now.
    init(probe: Tensor, step: some TrainingStep, resumed: Double?) throws {
        self.probe = probe
        probeLoss = try resumed ?? step.heldOutLoss(probe)
    }

    /// Whether `loss` passes the bound of `reference`.
    static func exceeds(_ loss: Double, _ reference: Double) -> Bool {
        !(loss <= reference + Trainer.divergenceFactor * max(abs(reference), Trainer.divergenceFloor))
    }

    /// Throws ``TrainingError/diverged(epoch:batch:value:reference:)`` when batch `batch` of
    /// 1-based `epoch`, with loss `loss`, exceeds the first epoch's mean `reference` and the
    /// probe confirms it.
    func check(_ loss: Double, reference: Double, epoch: Int, batch: Int, step: some TrainingStep) throws {
        guard probeLoss.isFinite, Self.exceeds(loss, reference) else { return }
        let now = try step.heldOutLoss(probe)
        if Self.exceeds(now, probeLoss) {
            throw TrainingError.diverged(epoch: epoch, batch: batch, value: Float(now), reference: Float(probeLoss))
        }
    }
}
