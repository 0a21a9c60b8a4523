import DataFormats
import Foundation
import Testing
import TestSupport

/// What is not a regular file is refused by its type, before it is opened: a folder, and a FIFO
/// (whose opening would block until a writer came), each with a message saying what it is.
@Suite struct NonFiles {
    @Test func aFolderIsNotAFile() throws {
        let folder = temporaryFolder() + "/data.csv"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        #expect { _ = try CSV.read(folder) } throws: { "\($0)".contains("data.csv: is a folder, not a file") }
        #expect { _ = try NPY.read(folder) } throws: { "\($0)".contains("is a folder, not a file") }
    }

    @Test func aFIFOIsRefusedWithoutWaitingForAWriter() throws {
        let path = temporaryFolder() + "/stream.csv"
        #expect(mkfifo(path, 0o600) == 0)
        #expect { _ = try CSV.read(path) } throws: { "\($0)".contains("stream.csv: is not a regular file (a pipe, socket or device)") }
        #expect { _ = try FileIO.read(path) } throws: { "\($0)".contains("is not a regular file") }
    }

    @Test func aMissingFileSaysSo() {
        #expect { _ = try FileIO.read(temporaryFolder() + "/absent.npy") } throws: { "\($0)".contains("absent.npy: no such file") }
    }
}
