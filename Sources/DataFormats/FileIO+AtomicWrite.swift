import Foundation

extension FileIO {
    /// Writes to `path` atomically what `body` hands to the writer it gets, in pieces and with
    /// no copy of the whole file in memory: the old file, or the new one whole, is all that a
    /// reader (or a later run) ever finds under `path`, whatever happens during the write.
    ///
    /// The bytes go to a file with no name yet (Linux's `O_TMPFILE`) in the destination's
    /// folder, are flushed to the disk (`fsync`), and only then get a name: a hidden one, renamed
    /// over `path` at once (rename(2) replaces atomically within one file system), and the
    /// folder is flushed so the new name survives a power loss. A process killed during the
    /// write (SIGKILL, a crash) leaves nothing behind, as its nameless file dies with it, except
    /// in the instant between naming and renaming; where `O_TMPFILE` is missing (macOS, old
    /// kernels, some file systems) the file is hidden and named from the start. The hidden name,
    /// `.NAME.PID.UUID.tmp`, is removed on every error Latent sees, and one left by a killed
    /// process is removed by the next write to `path`. A full disk or a file-size limit is an
    /// error naming `path`; the old file stays as it was.
    public static func writeAtomically(to path: String, _ body: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw DataFormatError(path, nil, "cannot write: folder \(folder) does not exist")
        }
        func failure(_ step: String? = nil) -> DataFormatError {
            let reason = String(cString: strerror(errno))
            return DataFormatError(path, nil, "cannot write: " + (step.map { "\($0) (\(reason))" } ?? reason))
        }
        removeAbandonedTemporaries(of: url.lastPathComponent, in: folder)
        let hidden = (folder as NSString).appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UUID().uuidString).tmp")
        let anonymous = openUnnamed(in: folder)
        let descriptor = anonymous ?? Foundation.open(hidden, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0, let file = fdopen(descriptor, "wb") else {
            let error = failure()
            if descriptor >= 0 { close(descriptor); unlink(hidden) }
            throw error
        }
        var named = anonymous == nil
        do {
            try body { piece in
                guard piece.count == 0 || fwrite(piece.baseAddress!, 1, piece.count, file) == piece.count else { throw failure() }
            }
            guard fflush(file) == 0 else { throw failure() }
            guard fsync(descriptor) == 0 else { throw failure("flushing to disk failed") }
            if anonymous != nil {
                guard linkat(AT_FDCWD, "/proc/self/fd/\(descriptor)", AT_FDCWD, hidden, AT_SYMLINK_FOLLOW) == 0 else { throw failure("naming the file failed") }
                named = true
            }
            guard rename(hidden, path) == 0 else { throw failure("rename failed") }
            named = false
            guard fclose(file) == 0 else { throw failure() }
        } catch {
            _ = fclose(file)
            if named { unlink(hidden) }
            throw error
        }
        // The rename is durable once the folder's entry is on disk; the file is complete anyway.
        let folderDescriptor = Foundation.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 { _ = fsync(folderDescriptor); close(folderDescriptor) }
    }

    /// Writes `bytes` to `path` atomically (see ``writeAtomically(to:_:)``).
    public static func writeAtomically(_ bytes: some Collection<UInt8>, to path: String) throws {
        let contiguous = Array(bytes)
        try writeAtomically(to: path) { write in try contiguous.withUnsafeBytes { try write($0) } }
    }

    /// Removes `.NAME.PID.UUID.tmp` files in `folder` left by processes that no longer run
    /// (killed between naming and renaming): a writer that is still running keeps its own.
    private static func removeAbandonedTemporaries(of name: String, in folder: String) {
        let prefix = ".\(name).", suffix = ".tmp"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries where entry.hasPrefix(prefix) && entry.hasSuffix(suffix) && entry.count > prefix.count + suffix.count {
            let middle = entry.dropFirst(prefix.count).dropLast(suffix.count)
            guard let dot = middle.firstIndex(of: "."), let process = pid_t(middle[..<dot]), process > 0,
                  UUID(uuidString: String(middle[middle.index(after: dot)...])) != nil else { continue }
            if kill(process, 0) != 0 && errno == ESRCH { unlink((folder as NSString).appendingPathComponent(entry)) }
        }
    }

    /// A writable file with no name in `folder`, or nil where the system cannot make one.
    private static func openUnnamed(in folder: String) -> Int32? {
        #if os(Linux)
        // O_TMPFILE is a compound C macro Swift does not import: __O_TMPFILE | O_DIRECTORY.
        let temporaryFile: Int32 = 0o20000000 | O_DIRECTORY
        // The file is named later through /proc/self/fd, so both must be there.
        guard access("/proc/self/fd", X_OK) == 0 else { return nil }
        let descriptor = Foundation.open(folder, temporaryFile | O_WRONLY | O_CLOEXEC, 0o666)
        return descriptor >= 0 ? descriptor : nil
        #else
        return nil
        #endif
    }
}
