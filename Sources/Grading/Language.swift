import Foundation
import Sandbox
import SystemPackage
import Yams

/// How to build and run a program in one language. Commands run in the sandbox's workdir,
/// where the source is saved as `fileName`.
public struct Language: Sendable, Hashable {
    public var id: String
    public var name: String
    /// File extensions (without the dot) that select this language.
    public var extensions: [String]
    /// The source's name in the workdir (Java wants the class's name).
    public var fileName: String
    /// Nil: nothing to compile.
    public var compile: [String]?
    public var run: [String]
    /// Host programs the language needs; a missing one means the toolchain is not installed.
    public var requires: [String]
    /// Host folders bound read-only into its sandboxes (toolchains outside /usr).
    public var binds: [String]
    public var environment: [String: String]
    /// Added to a test's memory limit (the JVM's heap and code cache, say).
    public var memoryAllowance: Int
    /// Added to a test's process limit (threads of a runtime).
    public var processAllowance: Int
    /// Limits of the compiler run.
    public var compileTime: Duration
    public var compileMemory: Int

    public init(id: String, name: String, extensions: [String], fileName: String, compile: [String]?, run: [String],
                requires: [String], binds: [String] = [], environment: [String: String] = [:], memoryAllowance: Int = 0,
                processAllowance: Int = 0, compileTime: Duration = .seconds(30), compileMemory: Int = 1 << 30) {
        self.id = id
        self.name = name
        self.extensions = extensions
        self.fileName = fileName
        self.compile = compile
        self.run = run
        self.requires = requires
        self.binds = binds
        self.environment = environment
        self.memoryAllowance = memoryAllowance
        self.processAllowance = processAllowance
        self.compileTime = compileTime
        self.compileMemory = compileMemory
    }

    /// The required host programs that are missing (empty: the toolchain is there).
    public var missingTools: [String] {
        requires.filter { access($0, X_OK) != 0 }
    }

    static let rustEnvironment = ["RUSTUP_HOME": "/root/.rustup", "CARGO_HOME": "/root/.cargo",
                                  "PATH": "/root/.cargo/bin:/usr/local/bin:/usr/bin:/bin"]

    /// The built-in table.
    public static let builtIn: [Language] = [
        Language(id: "c", name: "C (gcc)", extensions: ["c"], fileName: "solution.c",
                 compile: ["/usr/bin/gcc", "-std=gnu17", "-O2", "-pipe", "-o", "solution", "solution.c", "-lm"],
                 run: ["./solution"], requires: ["/usr/bin/gcc"]),
        Language(id: "cpp", name: "C++ (g++)", extensions: ["cpp", "cc", "cxx", "c++"], fileName: "solution.cpp",
                 compile: ["/usr/bin/g++", "-std=gnu++20", "-O2", "-pipe", "-o", "solution", "solution.cpp"],
                 run: ["./solution"], requires: ["/usr/bin/g++"]),
        Language(id: "python3", name: "Python 3", extensions: ["py"], fileName: "solution.py",
                 compile: ["/usr/bin/python3", "-m", "py_compile", "solution.py"],
                 run: ["/usr/bin/python3", "solution.py"], requires: ["/usr/bin/python3"]),
        Language(id: "java", name: "Java 17", extensions: ["java"], fileName: "Main.java",
                 compile: ["/usr/bin/javac", "-J-Xss64m", "-J-XX:+UseSerialGC", "-J-Xmx512m", "-encoding", "UTF-8", "Main.java"],
                 run: ["/usr/bin/java", "-XX:+UseSerialGC", "-Xss64m", "-XX:TieredStopAtLevel=1", "-cp", ".", "Main"],
                 requires: ["/usr/bin/javac", "/usr/bin/java"], memoryAllowance: 256 << 20, processAllowance: 64,
                 compileMemory: 2 << 30),
        Language(id: "javascript", name: "JavaScript (Node.js)", extensions: ["js", "mjs", "cjs"], fileName: "solution.js",
                 compile: ["/usr/bin/node", "--check", "solution.js"],
                 run: ["/usr/bin/node", "--stack-size=65500", "solution.js"], requires: ["/usr/bin/node"],
                 memoryAllowance: 128 << 20, processAllowance: 32),
        Language(id: "rust", name: "Rust", extensions: ["rs"], fileName: "solution.rs",
                 compile: ["/root/.cargo/bin/rustc", "--edition=2021", "-O", "-o", "solution", "solution.rs"],
                 run: ["./solution"], requires: ["/root/.cargo/bin/rustc"], binds: ["/root/.cargo", "/root/.rustup"],
                 environment: rustEnvironment, compileTime: .seconds(60)),
        Language(id: "swift", name: "Swift", extensions: ["swift"], fileName: "main.swift",
                 compile: ["/opt/swift/usr/bin/swiftc", "-O", "-o", "solution", "main.swift"],
                 run: ["./solution"], requires: ["/opt/swift/usr/bin/swiftc"], binds: ["/opt/swift"],
                 environment: ["PATH": "/opt/swift/usr/bin:/usr/local/bin:/usr/bin:/bin"],
                 compileTime: .seconds(120), compileMemory: 2 << 30),
        Language(id: "bash", name: "Bash", extensions: ["sh", "bash"], fileName: "solution.sh",
                 compile: ["/bin/bash", "-n", "solution.sh"], run: ["/bin/bash", "solution.sh"], requires: ["/bin/bash"]),
    ]
}

/// The languages in force: the built-in table, with entries from YAML files added or replacing.
public struct LanguageTable: Sendable {
    public private(set) var languages: [Language]

    public init(_ languages: [Language] = Language.builtIn) {
        self.languages = languages
    }

    public func language(id: String) -> Language? {
        languages.first { $0.id == id }
    }

    /// The language for a file, from its extension.
    public func detect(_ path: FilePath) -> Language? {
        guard let ext = path.extension?.lowercased() else { return nil }
        return languages.first { $0.extensions.contains(ext) }
    }

    /// The language named, or the one the extension says; an error that lists the choices.
    public func resolve(_ path: FilePath, id: String?) throws -> Language {
        if let id {
            guard let l = language(id: id) else {
                let hint = YAMLReader.suggestion(for: id, among: languages.map(\.id)).map { "; did you mean '\($0)'?" } ?? ""
                throw GradingError(.language, "unknown language '\(id)'\(hint) (known: \(languages.map(\.id).joined(separator: ", ")))")
            }
            return l
        }
        guard let l = detect(path) else {
            throw GradingError(.language, "cannot tell the language of \(path) from its extension; give --language "
                               + "(known: \(languages.map(\.id).joined(separator: ", ")))")
        }
        return l
    }

    static let keys = ["id", "name", "extensions", "file_name", "compile", "run", "requires", "binds", "environment",
                       "memory_allowance", "process_allowance", "compile_time", "compile_memory"]

    /// Adds (or replaces, by id) the languages of a YAML file: `languages: [{id: ..., ...}]`.
    public mutating func load(_ path: FilePath) throws {
        let r = YAMLReader(file: path)
        let text = String(decoding: try HostFile.read(path, limit: 1 << 20), as: UTF8.self)
        var added: [Language] = []
        if let root = r.compose(text), let top = r.mapping(root, "the languages file", allowed: ["languages"]) {
            for (_, _, value) in top {
                for item in r.list(value, "languages") ?? [] {
                    if let l = parse(item, r) { added.append(l) }
                }
            }
        }
        if !r.diagnostics.isEmpty { throw InvalidFileError(diagnostics: r.diagnostics) }
        for l in added {
            languages.removeAll { $0.id == l.id }
            languages.append(l)
        }
    }

    private func parse(_ node: Node, _ r: YAMLReader) -> Language? {
        guard let entries = r.mapping(node, "a language", allowed: Self.keys) else { return nil }
        let base = entries.first { $0.key == "id" }.flatMap { r.string($0.value, "id") }.flatMap { language(id: $0) }
        var l = base ?? Language(id: "", name: "", extensions: [], fileName: "", compile: nil, run: [], requires: [])
        for (key, _, v) in entries {
            switch key {
            case "id": l.id = r.nonEmptyString(v, "id") ?? ""
            case "name": l.name = r.string(v, "name") ?? ""
            case "extensions": l.extensions = r.strings(v, "extensions") ?? []
            case "file_name": l.fileName = r.nonEmptyString(v, "file_name") ?? ""
            case "compile": l.compile = v.scalar?.string == "" ? nil : r.strings(v, "compile")
            case "run": l.run = r.strings(v, "run") ?? []
            case "requires": l.requires = r.strings(v, "requires") ?? []
            case "binds": l.binds = r.strings(v, "binds") ?? []
            case "environment":
                for (k, _, value) in r.mapping(v, "environment", allowed: v.mapping?.keys.compactMap(\.string) ?? []) ?? [] {
                    l.environment[k] = r.string(value, "environment.\(k)")
                }
            case "memory_allowance": l.memoryAllowance = r.size(v, key) ?? 0
            case "process_allowance": l.processAllowance = r.integer(v, key, minimum: 0) ?? 0
            case "compile_time": l.compileTime = r.duration(v, key) ?? l.compileTime
            case "compile_memory": l.compileMemory = r.size(v, key) ?? l.compileMemory
            default: break
            }
        }
        if l.id.isEmpty { r.error(at: node, "a language needs 'id'") }
        if l.run.isEmpty { r.error(at: node, "language '\(l.id)' needs 'run' (the command that runs the program)") }
        if l.fileName.isEmpty { r.error(at: node, "language '\(l.id)' needs 'file_name'") }
        if l.name.isEmpty { l.name = l.id }
        return l
    }
}
