extension TrainingRecord {
    /// How much the loss still fell at the end of training: the relative drop over the last
    /// k = max(3, epochs / 10) epochs of the held-out loss (the training loss without held-out
    /// data), when it exceeds `threshold` (2 % by default); nil when training had settled, was
    /// stopped early, or ran too few epochs to tell.
    ///
    /// A run that ends this way has not converged: more steps, or a larger learning rate, would
    /// lower its error.
    public func stillFalling(threshold: Double = TrainingRecord.stillFallingThreshold) -> (drop: Double, epochs: Int)? {
        let losses = (heldOutLoss.isEmpty ? trainLoss : heldOutLoss).map(Double.init)
        let k = max(3, losses.count / 10)
        guard !stoppedEarly, losses.count > k, let last = losses.last, last.isFinite else { return nil }
        let before = losses[losses.count - 1 - k]
        guard before.isFinite, before > 0 else { return nil }
        let drop = (before - last) / before
        return drop > threshold ? (drop, k) : nil
    }

    /// The relative drop over the last epochs above which ``stillFalling(threshold:)`` speaks.
    public static let stillFallingThreshold = 0.02
}
