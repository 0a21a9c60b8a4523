import Foundation

/// Reading whole files and writing them atomically.
public enum FileIO {
    /// The bytes of the file at `path`, read straight into one array.
    public static func read(_ path: String) throws -> [UInt8] {
        let file = try open(path)
        defer { fclose(file) }
        let size = try self.size(of: file, path: path)
        return try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            if size > 0 { count = try readFully(file, into: UnsafeMutableRawBufferPointer(buffer), path: path) }
        }
    }

    /// Calls `body` with the file's bytes mapped into memory (read-only, no copy): large text
    /// files are parsed in place.
    public static func withMappedFile<R>(_ path: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        let file = try open(path)
        defer { fclose(file) }
        let size = try self.size(of: file, path: path)
        guard size > 0 else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fileno(file), 0), address != MAP_FAILED else {
            throw DataFormatError(path, nil, "cannot map: \(String(cString: strerror(errno)))")
        }
        defer { munmap(address, size) }
        return try body(UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt8.self), count: size))
    }

    /// Opens `path` for reading: a regular file only. A folder, or a pipe, socket or device
    /// (whose size cannot be checked, and whose opening may block until a writer comes: a FIFO)
    /// is refused, by the path's type, before anything is opened.
    static func open(_ path: String) throws -> UnsafeMutablePointer<FILE> {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw DataFormatError(path, nil, errno == ENOENT ? "no such file" : "cannot read: \(String(cString: strerror(errno)))")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw DataFormatError(path, nil, "is a folder, not a file")
        default: throw DataFormatError(path, nil, "is not a regular file (a pipe, socket or device): Latent reads files whose size it can check; save the stream to a file first")
        }
        guard let file = fopen(path, "rb") else {
            throw DataFormatError(path, nil, "cannot read: \(String(cString: strerror(errno)))")
        }
        return file
    }

    /// The size in bytes of an open file.
    static func size(of file: UnsafeMutablePointer<FILE>, path: String) throws -> Int {
        var info = stat()
        guard fstat(fileno(file), &info) == 0 else { throw DataFormatError(path, nil, "cannot read: \(String(cString: strerror(errno)))") }
        return Int(info.st_size)
    }

    /// Reads until `buffer` is full or the file ends; returns the bytes read.
    static func readFully(_ file: UnsafeMutablePointer<FILE>, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        var total = 0
        while total < buffer.count {
            let read = fread(buffer.baseAddress! + total, 1, buffer.count - total, file)
            if read == 0 {
                if ferror(file) != 0 { throw DataFormatError(path, .byte(total), "read error: \(String(cString: strerror(errno)))") }
                break
            }
            total += read
        }
        return total
    }

    /// Writes to `path` atomically what `body` hands to the writer it gets, in pieces and with
    /// no copy of the whole file in memory: into a temporary file in the same folder, then
    /// renamed over the destination.
    public static func writeAtomically(to path: String, _ body: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw DataFormatError(path, nil, "cannot write: folder \(folder.path) does not exist")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        guard let file = fopen(temporary, "wb") else {
            throw DataFormatError(path, nil, "cannot write: \(String(cString: strerror(errno)))")
        }
        do {
            try body { piece in
                guard piece.count == 0 || fwrite(piece.baseAddress!, 1, piece.count, file) == piece.count else {
                    throw DataFormatError(path, nil, "cannot write: \(String(cString: strerror(errno)))")
                }
            }
            guard fclose(file) == 0 else {
                throw DataFormatError(path, nil, "cannot write: \(String(cString: strerror(errno)))")
            }
            guard rename(temporary, path) == 0 else {
                throw DataFormatError(path, nil, "cannot write: rename failed (\(String(cString: strerror(errno))))")
            }
        } catch {
            _ = fclose(file)
            unlink(temporary)
            throw error
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
