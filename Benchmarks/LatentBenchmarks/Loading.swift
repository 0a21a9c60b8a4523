import Foundation
import Latent

/// Peak resident memory of this process so far, in MiB (VmHWM of /proc/self/status; 0 where
/// that file does not exist).
func peakMemoryMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kib / 1024
}

/// Loads one file in this process and prints `seconds peak-MiB`; run once per format by
/// `benchmarkLoading`, in a child process each, so each peak is that format's alone.
func loadOnce(format: String, path: String) throws {
    let start = DispatchTime.now().uptimeNanoseconds
    let samples: Int
    switch format {
    case "idx": samples = try DatasetLoader().load("fashion-mnist:train").count
    case "npy": samples = try NPY.read(path).shape[0]
    case "csv": samples = try CSV.read(path).count
    default: fatalError("unknown format \(format)")
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print(seconds, peakMemoryMiB(), samples)
}

/// Full Fashion-MNIST train (60 000 × 784) loaded from its .gz IDX files, and the same matrix
/// from NPY and CSV files written here; medians of child-process runs.
func benchmarkLoading() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("latent-load-benchmark").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let npy = folder + "/fashion-mnist-train.npy", csv = folder + "/fashion-mnist-train.csv"
    if !FileManager.default.fileExists(atPath: csv) {
        let data = try DatasetLoader().load("fashion-mnist:train")
        try NPY.write(data.samples, to: npy)
        try CSV.write(data.samples, to: csv)
    }
    print("Loading 60 000 × 784 (full Fashion-MNIST train), median of 5 runs in fresh processes")
    for (format, path) in [("idx", "fashion-mnist:train (.gz IDX)"), ("npy", npy), ("csv", csv)] {
        var seconds: [Double] = [], peaks: [Double] = []
        for _ in 0..<5 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            process.arguments = ["load-once", format, path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let fields = output.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
            guard fields.count == 3 else { fatalError("load-once \(format) printed '\(output)'") }
            seconds.append(fields[0])
            peaks.append(fields[1])
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: format == "idx" ? "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz" : path)[.size] as? Int) ?? 0
        print(column(format, 6) + String(format: "%.3f s   peak %.0f MiB   file %.0f MiB", median(seconds), median(peaks), Double(size) / 1_048_576))
    }
}
