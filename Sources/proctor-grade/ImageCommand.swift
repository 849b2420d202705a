import ArgumentParser
import Foundation
import Images
import Logging
import Sandbox
import SystemPackage

/// `proctor image build|ls|rm|prune`: the image store (docs/images.md).
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Build images from recipes, list and remove them.",
        discussion: "The store is /var/lib/proctor/images, or $PROCTOR_IMAGES.",
        subcommands: [ImageBuild.self, ImageList.self, ImageRemove.self, ImagePrune.self, ImageExport.self, ImageImport.self]
    )
}

struct ImageBuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Build a recipe (YAML) into an image; unchanged steps come from the cache.")

    @Argument(help: "The recipe file (YAML).")
    var recipe: String

    @Option(help: "The image's name (default: the recipe's name:, else its file name).")
    var name: String?

    @Option(help: "The Debian mirror for the base (default: the host's apt sources).")
    var mirror: String?

    @Flag(help: "Print the steps' output.")
    var verbose = false

    func run() async throws {
        let file: RecipeFile
        do {
            file = try RecipeFile.load(FilePath(recipe))
        } catch {
            throw ValidationError("\(error)")
        }
        var logger = Logger(label: "proctor.images")
        logger.logLevel = .warning
        let builder = ImageBuilder(logger: logger, mirror: mirror)
        let display = BuildDisplay(verbose: verbose)
        do {
            let report = try await builder.build(file.recipe, name: name ?? file.name) { display.show($0) }
            let built = report.steps.filter { !$0.cached }.count
            print(
                "image \(report.manifest.name): \(report.manifest.layers.count) layers, \(built) built, "
                    + "\(report.steps.count - built) cached, \(ByteCount.text(report.manifest.layers.compactMap(\.size).reduce(0, +)))"
            )
        } catch {
            FileHandle.standardError.write(Data("proctor image build: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// The build's progress: one line per step; on a terminal, the step's last output line
/// rewritten in place under it while it runs.
final class BuildDisplay: @unchecked Sendable {
    let verbose: Bool
    let terminal = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var pending: [UInt8] = []
    private var live = false

    init(verbose: Bool) {
        self.verbose = verbose
    }

    func show(_ progress: ImageBuilder.Progress) {
        lock.lock()
        defer { lock.unlock() }
        switch progress {
        case .started(let index, let count, let description):
            endLive()
            emit("[\(index + 1)/\(count)] \(description)\n")
        case .cached(let index, let count, let description):
            endLive()
            emit("[\(index + 1)/\(count)] \(description) (cached)\n")
        case .finished(let index, let count, let seconds):
            endLive()
            emit("[\(index + 1)/\(count)] done in \(String(format: "%.1f", seconds)) s\n")
        case .output(let bytes):
            if verbose {
                FileHandle.standardError.write(Data(bytes))
                return
            }
            guard terminal else { return }
            pending += bytes
            if let last = pending.lastIndex(of: 10) {
                let lines = pending[..<last].split(separator: 10)
                pending.removeSubrange(...last)
                if let line = lines.last {
                    let text = String(decoding: line.prefix(100), as: UTF8.self)
                    emit("\r\u{1B}[2K    \(text)")
                    live = true
                }
            }
        }
    }

    private func endLive() {
        if live { emit("\r\u{1B}[2K") }
        live = false
        pending = []
    }

    private func emit(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

enum ByteCount {
    static func text(_ bytes: Int) -> String {
        if bytes >= 1 << 30 { return String(format: "%.1f GB", Double(bytes) / Double(1 << 30)) }
        if bytes >= 1 << 20 { return String(format: "%.1f MB", Double(bytes) / Double(1 << 20)) }
        return String(format: "%.1f KB", Double(bytes) / 1024)
    }
}

struct ImageList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the images.")

    @Flag(help: "Print JSON (the manifests, with sizes).")
    var json = false

    func run() throws {
        let entries = try ImageStore().list()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(entries.map(\.manifest)), as: UTF8.self))
            return
        }
        print("NAME".padding(toLength: 28, withPad: " ", startingAt: 0) + "LAYERS  SIZE        CREATED")
        for e in entries {
            print(
                e.manifest.name.padding(toLength: 28, withPad: " ", startingAt: 0)
                    + String(e.manifest.layers.count).padding(toLength: 8, withPad: " ", startingAt: 0)
                    + ByteCount.text(e.size).padding(toLength: 12, withPad: " ", startingAt: 0) + e.manifest.created)
        }
    }
}

struct ImageRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove images (their layers stay cached until prune).")

    @Argument(help: "Image names.")
    var names: [String]

    func run() throws {
        let store = ImageStore()
        for name in names {
            do {
                try store.remove(name)
            } catch {
                FileHandle.standardError.write(Data("proctor image rm: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

struct ImagePrune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Remove cached layers no image uses, and unfinished builds.")

    func run() throws {
        let (layers, bytes) = try ImageStore().prune()
        print("removed \(layers.count) layers, \(ByteCount.text(bytes))")
    }
}

struct ImageExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write an image as an OCI image layout tar.")

    @Argument(help: "The image's name.")
    var name: String

    @Argument(help: "The tar file to write.")
    var output: String

    func run() throws {
        do {
            try OCILayout().export(name, to: FilePath(output))
        } catch {
            FileHandle.standardError.write(Data("proctor image export: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct ImageImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read an OCI image layout tar (docker buildx --output type=oci, skopeo) into an image.")

    @Argument(help: "The tar file to read.")
    var input: String

    @Argument(help: "The image's name in the store.")
    var name: String

    @Option(help: "Which image of the layout (its org.opencontainers.image.ref.name); default: the first.")
    var reference: String?

    func run() throws {
        do {
            let manifest = try OCILayout().importImage(from: FilePath(input), name: name, reference: reference)
            print("image \(manifest.name): \(manifest.layers.count) layers")
        } catch {
            FileHandle.standardError.write(Data("proctor image import: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
