import CLatentKernels

// MARK: - Neighbour embeddings (t-SNE's forces, FIt-SNE's interpolation)

extension Kernels {
    /// For rows i in `rows` of sparse affinities (CSR: `rowStart`, `columns`, `values`), the
    /// attractive force `forces[i]` = scale · Σⱼ pᵢⱼ wᵢⱼ^(1/α) (yᵢ − rⱼ), with the Student-t kernel
    /// w = (1 + ‖yᵢ − rⱼ‖²/α)^(−α) of `dof` α between the points `y` and the `reference` points
    /// (both `dimensions` ≤ 8 wide); returns Σ pᵢⱼ log wᵢⱼ over those rows when asked.
    @discardableResult
    public static func tsneAttraction(rowStart: UnsafePointer<Int>, columns: UnsafePointer<Int32>, values: UnsafePointer<Float>, rows: Range<Int>,
                                      y: UnsafePointer<Double>, reference: UnsafePointer<Double>, dimensions: Int, dof: Double, scale: Double,
                                      forces: UnsafeMutablePointer<Double>, logKernelSum: Bool) -> Double {
        var sum = 0.0
        rowStart.withMemoryRebound(to: CLong.self, capacity: rows.upperBound + 1) { starts in
            if logKernelSum {
                latent_tsne_attraction(starts, columns, values, rows.lowerBound, rows.upperBound, y, reference, dimensions, dof, scale, forces, &sum)
            } else {
                latent_tsne_attraction(starts, columns, values, rows.lowerBound, rows.upperBound, y, reference, dimensions, dof, scale, forces, nil)
            }
        }
        return sum
    }

    /// For points i in `points` of `y`: `kernelSums[i]` = Σⱼ wᵢⱼ and `forces[i]` =
    /// Σⱼ wᵢⱼ^(1+1/α) (yᵢ − rⱼ) over the `referenceCount` reference points (j ≠ i when
    /// `skippingSelf`, `y` then being the reference): the repulsion of t-SNE, exactly.
    public static func tsneExactRepulsion(y: UnsafePointer<Double>, count: Int, reference: UnsafePointer<Double>, referenceCount: Int, dimensions: Int,
                                          dof: Double, skippingSelf: Bool, points: Range<Int>,
                                          forces: UnsafeMutablePointer<Double>, kernelSums: UnsafeMutablePointer<Double>) {
        latent_tsne_exact_repulsion(y, count, reference, referenceCount, dimensions, dof, skippingSelf ? 1 : 0, points.lowerBound, points.upperBound,
                                    forces, kernelSums)
    }

    /// Spreads the 2-D points `order[positions]` onto grid nodes by Lagrange interpolation
    /// (`nodes` per box side, `boxes` × `boxes` boxes of side `width` from `low`): charge 1
    /// into `ones`, and each coordinate into `first` and `second` when given; grids are rows of
    /// `leadingDimension` floats.
    public static func interpolationSpread(y: UnsafePointer<Double>, order: UnsafePointer<Int32>, positions: Range<Int>, low: Double, width: Double,
                                           boxes: Int, nodes: Int, ones: UnsafeMutablePointer<Float>, first: UnsafeMutablePointer<Float>?,
                                           second: UnsafeMutablePointer<Float>?, leadingDimension: Int) {
        latent_interpolation_spread(y, order, positions.lowerBound, positions.upperBound, low, width, boxes, nodes, ones, first, second, leadingDimension)
    }

    /// `out[i·fields.count + f]` = grid `fields[f]` interpolated at the 2-D point i, for i in `points`.
    public static func interpolationGather(y: UnsafePointer<Double>, points: Range<Int>, low: Double, width: Double, boxes: Int, nodes: Int,
                                           fields: [UnsafePointer<Float>], leadingDimension: Int, into out: UnsafeMutablePointer<Double>) {
        var optional: [UnsafePointer<Float>?] = fields
        optional.withUnsafeMutableBufferPointer { list in
            latent_interpolation_gather(y, points.lowerBound, points.upperBound, low, width, boxes, nodes, list.baseAddress, fields.count, leadingDimension, out)
        }
    }

    /// One epoch of UMAP's stochastic gradient descent for the heads `order[p]` (or p when
    /// `order` is nil), p in `positions`, of a graph (CSR `rowStart`, `columns`), head
    /// `order[p]`'s code at row p of `y`: each due edge's attraction, then its negative samples
    /// from the `otherCount` rows (`dimensions` wide); a tail or sample k with `positionOf[k]` in
    /// `positions` is read from `y` as it moves, any other from `others` (`selfIndexed`: i's own
    /// row is never a negative sample). Advances the edges' schedules (`nextSample`,
    /// `nextNegative`). Each head's negative samples come from a stream of (`seed`, `epoch`,
    /// `rowSeeds[i]` or else i). See `latent_umap_epoch`.
    public static func umapEpoch(rowStart: UnsafePointer<Int>, columns: UnsafePointer<Int32>, epochsPerSample: UnsafePointer<Double>,
                                 nextSample: UnsafeMutablePointer<Double>, nextNegative: UnsafeMutablePointer<Double>, order: UnsafePointer<Int32>?,
                                 positionOf: UnsafePointer<Int32>?, positions: Range<Int>, y: UnsafeMutablePointer<Float>,
                                 others: UnsafePointer<Float>, otherCount: Int, selfIndexed: Bool, dimensions: Int, a: Double, b: Double, repulsion: Double,
                                 learningRate: Double, attractionScale: Double, negativeRate: Double, epoch: Int, seed: UInt64,
                                 rowSeeds: UnsafePointer<UInt64>? = nil) {
        // CLong is Int on the 64-bit platforms Latent builds for.
        latent_umap_epoch(rowStart, columns, epochsPerSample, nextSample, nextNegative, order, positionOf, positions.lowerBound, positions.upperBound,
                          y, others, otherCount, selfIndexed ? 1 : 0, dimensions, a, b, repulsion, learningRate, attractionScale, negativeRate, epoch,
                          seed, rowSeeds)
    }

    /// Advances the schedules of `count` edges through `epoch` without moving anything: what a
    /// resumed UMAP optimisation replays.
    public static func umapSchedule(epochsPerSample: UnsafePointer<Double>, nextSample: UnsafeMutablePointer<Double>,
                                    nextNegative: UnsafeMutablePointer<Double>, count: Int, negativeRate: Double, epoch: Int) {
        latent_umap_schedule(epochsPerSample, nextSample, nextNegative, count, negativeRate, epoch)
    }
}
