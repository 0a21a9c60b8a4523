/// A figure that cannot be drawn from what it was given: says what and with which sizes.
public struct FigureError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
