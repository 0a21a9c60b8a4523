import Foundation

/// A fresh, empty temporary folder for the files one test writes.
public func temporaryFolder() -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("latent-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

/// A path no file has yet, ending in `name`, in the temporary folder.
public func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("latent-\(UUID().uuidString)-\(name)").path
}
