import Foundation

extension KeyedDecodingContainer {
    /// The value under `key`, or `fallback` when a file written before the key existed lacks it:
    /// a hyperparameter added later reads as its default, so older model files and checkpoints
    /// stay readable.
    func decode<T: Decodable>(_ key: Key, or fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}
