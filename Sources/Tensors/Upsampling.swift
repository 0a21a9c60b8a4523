import CLatentKernels

/// Nearest-neighbour upsampling of NHWC images by an integer `factor`: `n × H × W × C` →
/// `n × fH × fW × C`, each pixel repeated in an f × f block.
public func upsampleNearest(_ images: Tensor, factor: Int) -> Tensor {
    require(images.rank == 4 && factor >= 1, "upsampleNearest: images \(images.shape) are not [n, H, W, C], or factor \(factor) < 1")
    let (n, h, w, c) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    return Tensor(shape: [n, h * factor, w * factor, c]) { out in
        images.withUnsafeBufferPointer { latent_upsample_nearest_nhwc($0.baseAddress!, n, h, w, c, factor, out.baseAddress!) }
    }
}

/// The adjoint of ``upsampleNearest(_:factor:)``: each f × f block of `gradient` summed.
public func upsampleNearestAdjoint(_ gradient: Tensor, factor: Int) -> Tensor {
    require(gradient.rank == 4 && factor >= 1 && gradient.shape[1] % factor == 0 && gradient.shape[2] % factor == 0,
            "upsampleNearestAdjoint: gradient \(gradient.shape) does not come from an upsampling by \(factor)")
    let (n, h, w, c) = (gradient.shape[0], gradient.shape[1] / factor, gradient.shape[2] / factor, gradient.shape[3])
    return Tensor(shape: [n, h, w, c]) { out in
        gradient.withUnsafeBufferPointer { latent_upsample_nearest_adjoint_nhwc($0.baseAddress!, n, h, w, c, factor, out.baseAddress!) }
    }
}
