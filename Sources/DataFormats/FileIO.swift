import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// Opens `path` for reading as a descriptor (for `pread`): a regular file only, as ``open(_:)``.
    static func openDescriptor(_ path: String) throws -> Int32 {
        fclose(try open(path))
        #if canImport(Glibc)
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        #else
        let descriptor = Darwin.open(path, O_RDONLY | O_CLOEXEC)
        #endif
        guard descriptor >= 0 else { throw DataFormatError(path, nil, "cannot read: \(String(cString: strerror(errno)))") }
        return descriptor
    }

    /// Reads `buffer.count` bytes at `offset` of `descriptor` (retrying short and interrupted
    /// reads); returns the bytes read, fewer only where the file ends.
    static func readFully(_ descriptor: Int32, at offset: Int, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        var total = 0
        while total < buffer.count {
            let read = pread(descriptor, buffer.baseAddress! + total, buffer.count - total, off_t(offset + total))
            if read < 0 {
                if errno == EINTR { continue }
                throw DataFormatError(path, .byte(offset + total), "read error: \(String(cString: strerror(errno)))")
            }
            if read == 0 { break }
            total += read
        }
        return total
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
}
