/// Stops the program with `message` unless `condition` holds.
///
/// Used for programmer errors (shapes fixed by the calling code), like an out-of-range array
/// index. Unlike `precondition`, whose message optimised builds drop, the message is printed in
/// release builds too, so a user sees which shapes did not fit.
@inline(__always)
package func require(_ condition: Bool, _ message: @autoclosure () -> String,
                     file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError(message(), file: file, line: line) }
}
