import Foundation
import Images
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
    /// An image of the image store (`proctor image build`) the language's programs run in
    /// instead of the host's /usr: a toolchain the host does not have. `requires` is then
    /// looked for in the image.
    public var image: String? = nil
    /// The image store `image` is looked up in; nil: the default ($PROCTOR_IMAGES, else
    /// /var/lib/proctor/images). A server sets its own (`proctor serve --images`).
    public var imageStore: ImageStoreFolder? = nil
    public var environment: [String: String]
    /// Added to a test's memory limit (the JVM's heap and code cache, say).
    public var memoryAllowance: Int
    /// Added to a test's process limit (threads of a runtime).
    public var processAllowance: Int
    /// Limits of the compiler run.
    public var compileTime: Duration
    public var compileMemory: Int
    /// How the source is named in the workdir (Kattis's rules: a Java class is named after its
    /// file, a Python program runs under its own name). `{file}`, `{class}`, `{stem}` and
    /// `{Stem}` in `compile` and `run` become the chosen file name, the class to run, the
    /// file name without extension and that capitalized (Kotlin's `{Stem}Kt`); an argument
    /// equal to `fileName` (or, for java-class, its stem) is the chosen name (class) too.
    /// An argument `{files}` (`filesPlaceholder`) stands for every source of the program, as
    /// problemtools' `{files}`: the one file of a single-file program, all the sources of the
    /// language in a folder submission (compilers that need every file: C, C++, Java, ...).
    /// Commands without it compile and run the main file alone (problemtools' `{mainfile}`).
    public var sourceNaming: SourceNaming = .fixed

    public static let filesPlaceholder = "{files}"
    /// A regular expression the first line must match for a file with one of
    /// `shebangExtensions` to be this language (problemtools' `shebang`: a `.py` is Python 2
    /// only when its first line names python2, a `.pl` Perl rather than Prolog when it names perl).
    public var shebang: String?
    public var shebangExtensions: [String] = []
    /// A C or C++ folder submission built by its own Makefile or CMakeLists.txt
    /// (`BuildSystem`): `compile` runs it, and the program is an executable the build made.
    public var buildSystem: BuildSystem? = nil
    /// The language's programs run under an address-space limit (RLIMIT_AS) as large as
    /// their memory limit where a problem asks for one (`Problem.addressSpaceLimit`): true
    /// for those whose runtime reserves no large address space up front (C, C++, Rust,
    /// CPython, ...); a JVM, V8, Go, GHC or .NET would not even start under it.
    public var addressSpaceLimit: Bool

    /// The built-in languages that run under an address-space limit (`addressSpaceLimit`).
    static let addressSpaceLimitIDs: Set<String> = ["c", "cpp", "rust", "python3", "pascal", "fortran", "ada", "bash"]

    public enum SourceNaming: String, Sendable, Hashable, CaseIterable {
        /// Always `fileName`.
        case fixed
        /// The submission's own file name (when it is a plain name); also saved as
        /// `fileName`, so that tests that import `solution` still find it.
        case kept
        /// Java: named after the public top-level class (javac requires it), else the
        /// submission's file name; `{class}` is the class that declares main (else the stem).
        case javaClass = "java-class"
        /// Erlang: named after its `-module(name).` (erlc insists), else the submission's own name.
        case erlangModule = "erlang-module"
    }

    public init(
        id: String, name: String, extensions: [String], fileName: String, compile: [String]?, run: [String],
        requires: [String], binds: [String] = [], environment: [String: String] = [:], memoryAllowance: Int = 0,
        processAllowance: Int = 0, compileTime: Duration = .seconds(30), compileMemory: Int = 1 << 30
    ) {
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
        self.addressSpaceLimit = Self.addressSpaceLimitIDs.contains(id)
    }

    /// The store `image` is read from.
    public var images: ImageStoreFolder { imageStore ?? ImageStoreFolder() }

    /// This language with its programs built and run in image `name` of `store` (a
    /// problem's `image:`); nil keeps it as it is.
    public func inImage(_ name: String?, store: ImageStoreFolder?) -> Language {
        guard let name else { return self }
        var l = self
        l.image = name
        l.imageStore = store
        return l
    }

    /// The required host programs that are missing (empty: the toolchain is there).
    public var missingTools: [String] {
        guard let image else { return requires.filter { access($0, X_OK) != 0 } }
        let store = images
        guard let manifest = try? store.manifest(named: image) else { return ["image \(image)"] }
        let layers = manifest.layers.reversed().map { store.layerPath($0).string }
        return requires.filter { tool in !layers.contains { access($0 + tool, X_OK) == 0 } }
    }

    static let rustEnvironment = [
        "RUSTUP_HOME": "/root/.rustup", "CARGO_HOME": "/root/.cargo",
        "PATH": "/root/.cargo/bin:/usr/local/bin:/usr/bin:/bin",
    ]

    /// The built-in table.
    public static let builtIn: [Language] =
        [
            Language(
                id: "c", name: "C (gcc)", extensions: ["c"], fileName: "solution.c",
                compile: ["/usr/bin/gcc", "-std=gnu17", "-O2", "-pipe", "-o", "solution", "{files}", "-lm"],
                run: ["./solution"], requires: ["/usr/bin/gcc"]),
            Language(
                id: "cpp", name: "C++ (g++)", extensions: ["cpp", "cc", "cxx", "c++"], fileName: "solution.cpp",
                compile: ["/usr/bin/g++", "-std=gnu++20", "-O2", "-pipe", "-o", "solution", "{files}"],
                run: ["./solution"], requires: ["/usr/bin/g++"]),
            Language(
                id: "python3", name: "Python 3", extensions: ["py", "py3"], fileName: "solution.py",
                compile: ["/usr/bin/python3", "-m", "py_compile", "{files}"],
                run: ["/usr/bin/python3", "solution.py"], requires: ["/usr/bin/python3"]
            ).naming(.kept),
            Language(
                id: "java", name: "Java 17", extensions: ["java"], fileName: "Main.java",
                compile: ["/usr/bin/javac", "-J-Xss64m", "-J-XX:+UseSerialGC", "-J-Xmx512m", "-encoding", "UTF-8", "{files}"],
                run: ["/usr/bin/java", "-XX:+UseSerialGC", "-Xss64m", "-XX:TieredStopAtLevel=1", "-cp", ".", "Main"],
                requires: ["/usr/bin/javac", "/usr/bin/java"], memoryAllowance: 256 << 20, processAllowance: 64,
                compileMemory: 2 << 30
            ).naming(.javaClass),
            Language(
                id: "javascript", name: "JavaScript (Node.js)", extensions: ["js", "mjs", "cjs"], fileName: "solution.js",
                compile: ["/usr/bin/node", "--check", "solution.js"],
                run: ["/usr/bin/node", "--stack-size=65500", "solution.js"], requires: ["/usr/bin/node"],
                memoryAllowance: 128 << 20, processAllowance: 32),
            Language(
                id: "rust", name: "Rust", extensions: ["rs"], fileName: "solution.rs",
                compile: ["/root/.cargo/bin/rustc", "--edition=2021", "-O", "-o", "solution", "solution.rs"],
                run: ["./solution"], requires: ["/root/.cargo/bin/rustc"], binds: ["/root/.cargo", "/root/.rustup"],
                environment: rustEnvironment, compileTime: .seconds(60)),
            Language(
                id: "swift", name: "Swift", extensions: ["swift"], fileName: "main.swift",
                compile: ["/opt/swift/usr/bin/swiftc", "-O", "-o", "solution", "main.swift"],
                run: ["./solution"], requires: ["/opt/swift/usr/bin/swiftc"], binds: ["/opt/swift"],
                environment: ["PATH": "/opt/swift/usr/bin:/usr/local/bin:/usr/bin:/bin"],
                compileTime: .seconds(120), compileMemory: 2 << 30),
            Language(
                id: "bash", name: "Bash", extensions: ["sh", "bash"], fileName: "solution.sh",
                compile: ["/bin/bash", "-n", "solution.sh"], run: ["/bin/bash", "solution.sh"], requires: ["/bin/bash"]),
        ] + more
}

extension Language {
    /// A Kattis validator folder with a `build` script (which must make `run`) or a `run`
    /// script: built by running build, run as ./run.
    public static let kattisScripts = Language(
        id: "kattis-build-run", name: "build/run scripts", extensions: [], fileName: ".entry",
        compile: [
            "/bin/sh", "-c",
            """
            chmod +x build run 2>/dev/null
            if [ -f build ]; then ./build || { echo "the build script failed (exit $?)" >&2; exit 1; }; fi
            [ -f run ] || { echo "the build script made no 'run' program" >&2; exit 1; }
            chmod +x run
            """,
        ],
        run: ["./run"], requires: ["/bin/sh"], compileTime: .seconds(120), compileMemory: 2 << 30
    ).naming(.kept)

    func naming(_ n: SourceNaming) -> Language {
        var l = self
        l.sourceNaming = n
        return l
    }

    func withShebang(_ pattern: String, for extensions: [String]) -> Language {
        var l = self
        l.shebang = pattern
        l.shebangExtensions = extensions
        return l
    }

    /// Whether a file with extension `ext` whose first line is `firstLine` may be this
    /// language: always, unless the extension is one its shebang must claim.
    func accepts(extension ext: String, firstLine: String?) -> Bool {
        guard extensions.contains(ext) else { return false }
        guard let shebang, shebangExtensions.contains(ext) else { return true }
        return firstLine.map { $0.range(of: shebang, options: .regularExpression) != nil } ?? false
    }

    /// The first line of a source (for shebangs), at most 200 bytes of it.
    public static func firstLine(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.prefix(200).prefix { $0 != 0x0A }, as: UTF8.self)
    }

    /// This language for one source: the file name chosen by `sourceNaming` and the
    /// placeholders of `compile` and `run` filled in. `original` is the submission's file name.
    /// `sources`: what an argument `{files}` stands for (every source compiled together, the
    /// program's own file among them); nil: the program's file alone, as for one source.
    /// `keepName`: the file keeps `original` as its name whatever `sourceNaming` says (a
    /// folder's files are put into the workdir under their own names).
    public func resolved(original: String, source: [UInt8], sources: [String]? = nil, keepName: Bool = false) -> Language {
        var l = self
        var file = fileName
        var mainClass: String?
        switch keepName ? nil : sourceNaming {
        case nil:
            file = original
            if sourceNaming == .javaClass {
                mainClass = Self.javaMainClass(Self.javaCode(String(decoding: source, as: UTF8.self)))
            }
        case .fixed: break
        case .kept:
            if Self.isPlainFileName(original) { file = original }
        case .javaClass:
            let names = Self.javaNames(String(decoding: source, as: UTF8.self), original: original)
            file = names.file ?? fileName
            mainClass = names.mainClass
        case .erlangModule:
            let text = String(decoding: source, as: UTF8.self)
            if let r = text.range(of: #"(?m)^\s*-module\(\s*[a-z][A-Za-z0-9_@]*\s*\)"#, options: .regularExpression),
                let name = text[r].split(separator: "(").last?.split(separator: ")").first?.trimmingCharacters(in: .whitespaces)
            {
                file = name + ".erl"
            } else if Self.isPlainFileName(original) {
                file = original
            }
        }
        func stemOf(_ name: String) -> String {
            name.contains(".")
                ? name.split(separator: ".", omittingEmptySubsequences: false).dropLast().joined(separator: ".") : name
        }
        let stem = stemOf(file)
        let values = [
            "{file}": file, "{class}": mainClass ?? stem, "{stem}": stem,
            "{Stem}": stem.prefix(1).uppercased() + stem.dropFirst(),
        ]
        // The usual name (`solution.py`, `Main.java`) and, for Java, its class (`Main`) in a
        // command stand for the chosen ones, as the placeholders do.
        let usualName = fileName
        let usualClass = stemOf(fileName)
        func fill(_ arg: String) -> String {
            if (keepName || sourceNaming != .fixed) && arg == usualName { return file }
            if sourceNaming == .javaClass && arg == usualClass { return mainClass ?? stem }
            var a = arg
            for (k, v) in values where a.contains(k) { a = a.replacingOccurrences(of: k, with: v) }
            return a
        }
        func expand(_ arg: String) -> [String] {
            arg == Self.filesPlaceholder ? sources ?? [file] : [fill(arg)]
        }
        l.fileName = file
        l.compile = compile?.flatMap(expand)
        l.run = run.flatMap(expand)
        return l
    }

    /// A name the workdir can take as it is: letters, digits, `_ - .`, not hidden, with an extension.
    static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 200 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "_-.".unicodeScalars.contains($0)
            }
    }

    static func isJavaIdentifier(_ s: Substring) -> Bool {
        guard let f = s.unicodeScalars.first, !("0"..."9").contains(f) else { return false }
        return s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "$"
        }
    }

    /// Java's names for a source, Kattis's way: the file is named after the public top-level
    /// type (javac insists), else the submission's own name (`hello.java` with `class hello`);
    /// the class run is the one that declares `main` (else the file's stem, as Kattis runs).
    static func javaNames(_ text: String, original: String) -> (file: String?, mainClass: String?) {
        let code = javaCode(text)
        func firstMatch(_ pattern: String, in s: String) -> (name: String, at: String.Index)? {
            guard let r = s.range(of: pattern, options: .regularExpression) else { return nil }
            let matched = s[r]
            let name =
                matched.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") }).last.map(String.init)
                ?? ""
            return (name, r.lowerBound)
        }
        let publicType = firstMatch(
            #"(^|[;}\s])public\s+((final|abstract|strictfp|sealed|non-sealed)\s+)*(class|interface|enum|record)\s+[A-Za-z_$][A-Za-z0-9_$]*"#,
            in: code)?.name
        let mainClass = javaMainClass(code)
        let file: String?
        if let publicType {
            file = publicType + ".java"
        } else if original.hasSuffix(".java"), isJavaIdentifier(original.dropLast(5)) {
            file = original
        } else {
            file = (mainClass ?? "Main") + ".java"
        }
        return (file, mainClass ?? file.map { String($0.dropLast(5)) })
    }

    /// Java source with its comments blanked (comments could hold "class X" or "main(").
    static func javaCode(_ text: String) -> String {
        text.replacingOccurrences(of: #"(?s)/\*.*?\*/|//[^\n]*"#, with: " ", options: .regularExpression)
    }

    /// The innermost named type whose braces enclose `void main(`, by a scan of identifiers
    /// and braces (string and char literals skipped).
    static func javaMainClass(_ code: String) -> String? {
        let chars = Array(code.unicodeScalars)
        var stack: [String?] = []
        var pending: String?
        var words: [String] = []
        var i = 0
        func isIdent(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "$"
        }
        while i < chars.count {
            let c = chars[i]
            if c == "\"" || c == "'" {
                var j = i + 1
                while j < chars.count && chars[j] != c { j += chars[j] == "\\" ? 2 : 1 }
                i = j + 1
                continue
            }
            if isIdent(c) {
                var j = i
                while j < chars.count && isIdent(chars[j]) { j += 1 }
                let word = String(String.UnicodeScalarView(chars[i..<j]))
                if let prev = words.last, ["class", "enum", "record", "interface"].contains(prev) { pending = word }
                words.append(word)
                i = j
                continue
            }
            switch c {
            case "{":
                stack.append(pending)
                pending = nil
            case "}":
                _ = stack.popLast()
            case "(":
                if words.count >= 2 && words[words.count - 1] == "main" && words[words.count - 2] == "void" {
                    if let name = stack.last(where: { $0 != nil }) { return name }
                }
            default: break
            }
            if !c.properties.isWhitespace && c != "(" { words.append("") }
            i += 1
        }
        return nil
    }
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

    /// The language for a file, from its extension and, where a language's shebang claims
    /// the extension (`.py` for Python 2, `.pl` for Perl), its first line: a language whose
    /// shebang matches wins over the others with the extension.
    public func detect(_ path: FilePath, firstLine: String? = nil) -> Language? {
        guard let ext = path.extension?.lowercased() else { return nil }
        let candidates = languages.filter { $0.accepts(extension: ext, firstLine: firstLine) }
        return candidates.first { $0.shebang != nil && $0.shebangExtensions.contains(ext) } ?? candidates.first
    }

    /// The language named, or the one the extension (and first line) says; an error that lists the choices.
    public func resolve(_ path: FilePath, id: String?, firstLine: String? = nil) throws -> Language {
        if let id {
            guard let l = language(id: id) else {
                let hint = YAMLReader.suggestion(for: id, among: languages.map(\.id)).map { "; did you mean '\($0)'?" } ?? ""
                throw GradingError(
                    .language, "unknown language '\(id)'\(hint) (known: \(languages.map(\.id).joined(separator: ", ")))")
            }
            return l
        }
        guard let l = detect(path, firstLine: firstLine) else {
            throw GradingError(
                .language,
                "cannot tell the language of \(path) from its extension; give --language "
                    + "(known: \(languages.map(\.id).joined(separator: ", ")))")
        }
        return l
    }

    static let keys = [
        "id", "name", "extensions", "file_name", "compile", "run", "requires", "binds", "image", "environment",
        "memory_allowance", "process_allowance", "compile_time", "compile_memory", "source_name",
        "shebang", "shebang_extensions", "address_space_limit",
    ]

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
        if !r.diagnostics.isEmpty { throw GradingError(diagnostics: r.diagnostics) }
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
            case "image":
                l.image = r.nonEmptyString(v, "image")
                if let name = l.image, !ImageStoreFolder.isValidName(name) {
                    r.error(at: v, "image '\(name)' is not an image name")
                }
            case "environment":
                for (k, _, value) in r.mapping(v, "environment", allowed: v.mapping?.keys.compactMap(\.string) ?? []) ?? [] {
                    l.environment[k] = r.string(value, "environment.\(k)")
                }
            case "memory_allowance": l.memoryAllowance = r.size(v, key) ?? 0
            case "process_allowance": l.processAllowance = r.integer(v, key, minimum: 0) ?? 0
            case "compile_time": l.compileTime = r.duration(v, key) ?? l.compileTime
            case "compile_memory": l.compileMemory = r.size(v, key) ?? l.compileMemory
            case "address_space_limit": l.addressSpaceLimit = r.bool(v, key) ?? false
            case "shebang": l.shebang = r.string(v, key)
            case "shebang_extensions": l.shebangExtensions = r.strings(v, key) ?? []
            case "source_name":
                if let text = r.string(v, key) {
                    if let n = Language.SourceNaming(rawValue: text) {
                        l.sourceNaming = n
                    } else {
                        r.error(
                            at: v,
                            "source_name '\(text)': one of \(Language.SourceNaming.allCases.map(\.rawValue).joined(separator: ", "))"
                        )
                    }
                }
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
