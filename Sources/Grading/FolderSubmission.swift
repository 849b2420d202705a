import Foundation
import SystemPackage

/// Submissions that are a folder of files (Kattis allows them: `submissions/accepted/prolog/`
/// with `different.pl` and the `kattio.pl` it loads), judged as problemtools judges them:
///
/// - every regular file of the folder (and of its subfolders; hidden ones left out) goes
///   into the workdir under its own path, read beneath a `ConfinedRoot`: a symlink that
///   leads out, a FIFO or a device refuses the whole submission, nothing of it read;
/// - the language is the one most files count as evidence for (extension, and a shebang where
///   a language's shebang claims the extension), ties broken by problemtools' priorities;
/// - its sources are the files with the language's extensions, sorted: `{files}` in the
///   language's commands; the main file is the first named `main.*` (any case), else the
///   first source (Java: else the first that declares `main`, whose class is run);
/// - a `build` or `run` script at the top makes it a program of the spec's build/run form
///   (`Language.kattisScripts`, as for validators);
/// - a C or C++ folder with a `Makefile` or `CMakeLists.txt` at the top is built by it
///   (`BuildSystem`); without one, its sources are compiled together (`{files}`).
extension Submission {
    /// The most files a folder submission may have.
    public static let folderFileLimit = 256

    /// A folder submission: `folder` is relative to `root` ("." for the root itself);
    /// `language` forces one (else detected). Throws `.refused` or `.language` with the reason.
    public static func folder(
        name: String, path: String, root: ConfinedRoot, folder: String, languages: LanguageTable, language id: String? = nil
    ) throws -> Submission {
        let names = try folderFiles(root, folder)
        func rooted(_ f: String) throws -> RootedPath { try root.file(folder == "." ? f : folder + "/" + f) }
        if let script = ["build", "run"].first(where: names.contains) {
            var s = Submission(name: name, path: path, language: Language.kattisScripts, source: try rooted(script))
            s.mainFile = script
            s.files = try names.filter { $0 != script }.map { ExtraFile(source: try rooted($0), target: $0) }
            return s
        }
        let firstLines = try names.map { Language.firstLine(try rooted($0).read(limit: 16 << 20)) }
        let language: Language
        if let id {
            language = try languages.resolve(FilePath(path), id: id)
        } else {
            guard let detected = languages.detect(files: Array(zip(names, firstLines))) else {
                throw GradingError(
                    .language,
                    "no file of the folder \(path) is in a known language (its files: \(names.prefix(10).joined(separator: ", ")))"
                )
            }
            language = detected
        }
        // A C or C++ folder with a Makefile or CMakeLists.txt at its top builds itself.
        if ["c", "cpp"].contains(language.id), let (file, system) = BuildSystem.of(names) {
            var s = Submission(name: name, path: path, language: language.built(by: system, file: file), source: try rooted(file))
            s.mainFile = file
            s.files = try names.filter { $0 != file }.map { ExtraFile(source: try rooted($0), target: $0) }
            return s
        }
        let sources = names.filter { language.isSource($0) }
        guard !sources.isEmpty else {
            throw GradingError(
                .language, "the folder \(path) has no \(language.name) source (\(language.extensions.joined(separator: ", ")))")
        }
        var main = sources.first { ($0.split(separator: "/").last ?? "").lowercased().hasPrefix("main.") }
        if main == nil && language.sourceNaming == .javaClass {
            main = sources.first { f in
                (try? rooted(f).read(limit: 16 << 20)).map {
                    Language.javaMainClass(Language.javaCode(String(decoding: $0, as: UTF8.self))) != nil
                } ?? false
            }
        }
        let mainFile = main ?? sources[0]
        var s = Submission(name: name, path: path, language: language, source: try rooted(mainFile))
        // C and C++ sources compiled together find headers from the folder's top (`-I.`),
        // wherever in the folder they are.
        if ["c", "cpp"].contains(language.id) { s.language.environment["CPATH"] = "." }
        s.mainFile = mainFile
        s.files = try names.filter { $0 != mainFile }.map { ExtraFile(source: try rooted($0), target: $0) }
        return s
    }

    /// Every regular file beneath `folder` (relative to it, sorted), hidden ones left out;
    /// refuses symlinks that lead out, special files, names the workdir cannot take, and more
    /// than `folderFileLimit` files.
    static func folderFiles(_ root: ConfinedRoot, _ folder: String) throws -> [String] {
        var out: [String] = []
        func walk(_ rel: String, depth: Int) throws {
            let here = rel.isEmpty ? folder : (folder == "." ? rel : folder + "/" + rel)
            for entry in try root.list(here) where !entry.hasPrefix(".") {
                let path = rel.isEmpty ? entry : rel + "/" + entry
                guard Language.isPlainFileName(entry) else {
                    throw GradingError(
                        .refused,
                        "'\(path)' in \(root.folder.appending(folder)): a name the workdir cannot take (letters, digits, '_', '-', '.')"
                    )
                }
                switch try root.kind(folder == "." ? path : folder + "/" + path) {
                case .file: out.append(path)
                case .directory:
                    guard depth < 8 else { throw GradingError(.refused, "'\(path)': folders nested more than 8 deep") }
                    try walk(path, depth: depth + 1)
                case .other, nil:
                    throw GradingError(.refused, "'\(path)' is not a regular file (a FIFO, socket or device)")
                }
                if out.count > folderFileLimit {
                    throw GradingError(.refused, "\(root.folder.appending(folder)) has more than \(folderFileLimit) files")
                }
            }
        }
        try walk("", depth: 0)
        guard !out.isEmpty else { throw GradingError(.refused, "the folder \(root.folder.appending(folder)) has no files") }
        return out.sorted()
    }
}

extension Language {
    /// problemtools' `priority` (its languages.yaml): which language a folder is in when two
    /// have as many files in it. Languages problemtools does not define rank below these, in
    /// the table's order.
    static let detectionPriority: [String: Int] = [
        "cpp": 1000, "c": 950, "python2": 860, "python3": 850, "java": 800, "csharp": 700, "ruby": 650, "haskell": 600,
        "rust": 575, "scala": 550, "javascript": 500, "php": 450, "go": 400, "ocaml": 375, "pascal": 350, "kotlin": 250,
        "lisp": 200, "prolog": 100,
    ]

    /// Whether a file of a folder is one of this language's sources (its extension, whatever
    /// its first line: problemtools' `files`).
    func isSource(_ path: String) -> Bool {
        guard let ext = FilePath(path).extension?.lowercased() else { return false }
        return extensions.contains(ext)
    }
}

extension LanguageTable {
    /// The language of a program of several files, problemtools' way: the one most files
    /// count as evidence for (its extension, and its shebang where it claims the extension),
    /// ties broken by a shebang's claim (as for one file), then problemtools' priority.
    public func detect(files: [(path: String, firstLine: String?)]) -> Language? {
        var best: (language: Language, rank: [Int])?
        for (i, l) in languages.enumerated() {
            let evidence = files.filter { f in
                FilePath(f.path).extension.map { l.accepts(extension: $0.lowercased(), firstLine: f.firstLine) } ?? false
            }
            guard !evidence.isEmpty else { continue }
            let claimed = evidence.contains { f in
                l.shebang != nil && FilePath(f.path).extension.map { l.shebangExtensions.contains($0.lowercased()) } == true
            }
            let rank = [evidence.count, claimed ? 1 : 0, Language.detectionPriority[l.id] ?? -1 - i]
            if best.map({ $0.rank.lexicographicallyPrecedes(rank) }) ?? true { best = (l, rank) }
        }
        return best?.language
    }
}
