import Crypto
import Foundation
import SystemPackage

/// How to build an image: a Debian base made by debootstrap, then steps, each run in a
/// sandbox of its own on top of the layers before it. Written in YAML (`Recipe.load`) or in
/// Swift, in the shape of Modal's images:
///
///     Image.debian(.bookworm).apt("python3-pip").pip("six==1.17.0").run("python3 -c 'import six'")
///
/// Each step's layer is cached under the hash of the canonical recipe up to and with that
/// step (`digests`): change the pip line and the apt layer is kept.
public struct Recipe: Sendable, Hashable {
    /// A Debian release that debootstrap knows.
    public struct Suite: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public static let bookworm: Suite = "bookworm"
        public static let trixie: Suite = "trixie"
        public static let bullseye: Suite = "bullseye"
    }

    /// The base layer: `debootstrap --variant=VARIANT [--include=...] SUITE`.
    public struct Base: Sendable, Hashable {
        public var suite: Suite
        public var variant: String = "minbase"
        /// Packages debootstrap installs with the base.
        public var include: [String] = []
    }

    public enum Step: Sendable, Hashable {
        /// apt-get install --no-install-recommends, then the lists and caches removed.
        case apt([String])
        /// python3 -m pip install (no cache; Debian's "externally managed" guard off).
        case pip([String])
        /// A shell command (sh -c), as root in the step's sandbox.
        case run(String)
        /// A host file or folder copied into the image at an absolute path.
        case copy(from: FilePath, to: String)
    }

    public var base: Base
    public var steps: [Step] = []

    public init(base: Base, steps: [Step] = []) {
        self.base = base
        self.steps = steps
    }

    public static func debian(_ suite: Suite = .bookworm, variant: String = "minbase", include: [String] = []) -> Recipe {
        Recipe(base: Base(suite: suite, variant: variant, include: include))
    }

    public func apt(_ packages: String...) -> Recipe { adding(.apt(packages)) }
    public func apt(_ packages: [String]) -> Recipe { adding(.apt(packages)) }
    public func pip(_ packages: String...) -> Recipe { adding(.pip(packages)) }
    public func pip(_ packages: [String]) -> Recipe { adding(.pip(packages)) }
    public func run(_ command: String) -> Recipe { adding(.run(command)) }
    public func copy(_ source: FilePath, to target: String) -> Recipe { adding(.copy(from: source, to: target)) }

    private func adding(_ step: Step) -> Recipe {
        var copy = self
        copy.steps.append(step)
        return copy
    }

    // MARK: checks

    /// Package names as apt and pip take them, and nothing a shell would read otherwise.
    static func isPackageName(_ s: String) -> Bool {
        !s.isEmpty && !s.hasPrefix("-")
            && s.unicodeScalars.allSatisfy { c in
                CharacterSet.alphanumerics.contains(c) && c.isASCII || "+-.=:~_<>!,[]*".unicodeScalars.contains(c)
            }
    }

    /// Throws the first thing wrong with the recipe (the YAML reader adds file:line).
    public func validate() throws {
        guard Self.isPackageName(base.suite.rawValue), Self.isPackageName(base.variant) else {
            throw ImageError(.invalidRecipe, "base: \"\(base.suite.rawValue)\" / \"\(base.variant)\" is not a suite and variant")
        }
        for (i, step) in steps.enumerated() { try Self.validate(step, index: i) }
    }

    static func validate(_ step: Step, index i: Int) throws {
        switch step {
        case .apt(let packages), .pip(let packages):
            guard !packages.isEmpty else { throw ImageError(.invalidRecipe, "step \(i + 1): no packages") }
            for p in packages where !isPackageName(p) {
                throw ImageError(.invalidRecipe, "step \(i + 1): \"\(p)\" is not a package name")
            }
        case .run(let command):
            guard !command.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ImageError(.invalidRecipe, "step \(i + 1): an empty run")
            }
        case .copy(let source, let target):
            guard target.hasPrefix("/"), !target.contains("\n") else {
                throw ImageError(.invalidRecipe, "step \(i + 1): copy's target \"\(target)\" must be an absolute path")
            }
            guard FileManager.default.fileExists(atPath: source.string) else {
                throw ImageError(.invalidRecipe, "step \(i + 1): copy's source \(source) does not exist")
            }
        }
    }

    // MARK: hashing

    /// One line per layer: what the layer's digest hashes. A copy's line carries the hash
    /// of the copied bytes (names, modes, contents), not its host path.
    public func canonicalLines() throws -> [String] {
        var lines = [
            "debootstrap --variant=\(base.variant)"
                + (base.include.isEmpty ? "" : " --include=" + base.include.joined(separator: ",")) + " \(base.suite.rawValue)"
        ]
        for step in steps { lines.append(try Self.canonical(step)) }
        return lines
    }

    static func canonical(_ step: Step) throws -> String {
        switch step {
        case .apt(let packages): return "apt " + packages.joined(separator: " ")
        case .pip(let packages): return "pip " + packages.joined(separator: " ")
        case .run(let command): return "run " + command
        case .copy(let source, let target): return "copy \(target) sha256:\(try ContentHash.of(source))"
        }
    }

    /// The layers' digests ("sha256:HEX"), base first: each hashes the one before it and its
    /// own canonical line, so a layer's digest names everything beneath it too.
    public func digests() throws -> [String] {
        var previous = "proctor-image-v1"
        return try canonicalLines().map { line in
            let hex = SHA256.hash(data: Data((previous + "\n" + line).utf8)).map { String(format: "%02x", $0) }.joined()
            previous = hex
            return "sha256:" + hex
        }
    }
}

/// Modal's spelling: `Image.debian(.bookworm).apt(...)`.
public typealias Image = Recipe

/// The hash of a host file or folder tree as a copy step sees it.
enum ContentHash {
    static func of(_ path: FilePath) throws -> String {
        var hasher = SHA256()
        try add(path.string, relative: ".", to: &hasher)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private static func add(_ path: String, relative: String, to hasher: inout SHA256) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw ImageError(.invalidRecipe, "copy: cannot read \(path)") }
        let mode = st.st_mode & 0o7777
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            hasher.update(data: Data("d \(relative) \(String(mode, radix: 8))\n".utf8))
            let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            for name in names { try add(path + "/" + name, relative: relative + "/" + name, to: &hasher) }
        case S_IFLNK:
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? ""
            hasher.update(data: Data("l \(relative) \(target)\n".utf8))
        case S_IFREG:
            hasher.update(data: Data("f \(relative) \(String(mode, radix: 8)) \(st.st_size)\n".utf8))
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ImageError(.invalidRecipe, "copy: cannot read \(path)")
            }
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        default:
            throw ImageError(.invalidRecipe, "copy: \(path) is neither a file, a folder nor a symlink")
        }
    }
}
