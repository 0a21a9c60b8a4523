import Foundation

/// Reading whole files and writing them atomically.
public enum FileIO {
    /// The bytes of the file at `path`.
    public static func read(_ path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw DataFormatError(path, nil, "no such file") }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped))
        } catch {
            throw DataFormatError(path, nil, "cannot read: \(error.localizedDescription)")
        }
    }

    /// Writes `bytes` to `path` atomically: into a temporary file in the same folder, then
    /// renamed over the destination, so readers never see a half-written file and a failed
    /// write leaves the old file intact.
    public static func writeAtomically(_ bytes: some Collection<UInt8>, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw DataFormatError(path, nil, "cannot write: folder \(folder.path) does not exist")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try Data(bytes).write(to: temporary)
            // rename(2) replaces the destination atomically within one file system.
            guard rename(temporary.path, url.path) == 0 else {
                throw DataFormatError(path, nil, "cannot write: rename failed (\(String(cString: strerror(errno))))")
            }
        } catch let error as DataFormatError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw DataFormatError(path, nil, "cannot write: \(error.localizedDescription)")
        }
    }
}
