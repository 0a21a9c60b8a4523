import DataFormats
import Foundation
import Tensors
@_exported import TestSupport

/// The path of a committed fixture file.
func fixture(_ name: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name).path
}

/// Runs `body` and returns the error it throws as text ("" when it throws nothing).
func errorText(_ body: () throws -> Void) -> String {
    do { try body(); return "" } catch { return "\(error)" }
}

/// The values of the fixtures' base array, `[[1.5, -2.25, 3], [0.125, 0.001, -7]]`.
let fixtureBase = Tensor([[1.5, -2.25, 3.0], [0.125, 1e-3, -7.0]])
