import Foundation

/// A C or C++ folder submission that brings its own build (a course's multi-file lab): a
/// `Makefile` (`make` in the folder) or a `CMakeLists.txt` (`cmake` configure and build in
/// `build/`). A folder with both is built by CMake (an in-source configure leaves a Makefile).
///
/// The build is the submission's compile step and runs where every compiler runs: in the
/// compile sandbox, with no network, the language's compile limits (CPU time, twice that of
/// wall time, memory; a Kattis package's `compilation_time`/`compilation_memory`), at most 256
/// processes and a 512 MiB workdir, the host's folders read-only. A Makefile that loops, forks
/// without end or writes outside its folder therefore meets a limit (CE "the compiler
/// stopped") or a read-only file system, never the host (MakeBuildTests).
///
/// The program is an executable the build made (a file that is new or changed, with execute
/// permission; object files, libraries and CMake's own `CMakeFiles/` left out): the one the
/// problem names (`executable:`), else the only one. Only the submission's files and those
/// executables go on to the tests.
public enum BuildSystem: String, Sendable, Hashable, CaseIterable {
    case make
    case cmake

    /// The build file at a folder's top that selects a build system, in the order looked for.
    static let buildFiles: [(file: String, system: BuildSystem)] = [
        ("CMakeLists.txt", .cmake), ("GNUmakefile", .make), ("makefile", .make), ("Makefile", .make),
    ]

    /// The build system (and its file) that a folder's names call for.
    static func of(_ names: [String]) -> (file: String, system: BuildSystem)? {
        buildFiles.first { names.contains($0.file) }
    }

    /// The build's command, run in the workdir.
    var command: [String] {
        switch self {
        case .make: return ["/usr/bin/make"]
        case .cmake:
            // Configure's chatter is left out of a CE's message; its errors go to stderr.
            return [
                "/bin/sh", "-c",
                "/usr/bin/cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null && /usr/bin/cmake --build build",
            ]
        }
    }

    /// The host programs it needs (CMake's default generator writes Makefiles).
    var tools: [String] { self == .make ? ["/usr/bin/make"] : ["/usr/bin/cmake", "/usr/bin/make"] }

    /// What the build's file is called in messages.
    var fileName: String { self == .make ? "Makefile" : "CMakeLists.txt" }

    /// Where its programs are looked for, said in messages.
    var outputs: String { self == .make ? "the folder" : "build/" }
}

extension Language {
    /// This language (C or C++) built by a folder's own `system`; `file` is the build file,
    /// the program's main file. What runs is chosen after the build (`Build.program`).
    public func built(by system: BuildSystem, file: String) -> Language {
        var l = self
        l.name = "\(name) with its \(system.fileName)"
        l.buildSystem = system
        l.fileName = file
        l.compile = system.command
        l.run = []
        l.requires = requires + system.tools.filter { !requires.contains($0) }
        l.sourceNaming = .kept
        return l
    }
}

extension Build {
    /// The build a `BuildSystem` made: the submission's own files (`inputs`, path to bytes)
    /// and the executables it made (new, or changed, with execute permission); CE when it
    /// made none.
    static func made(by system: BuildSystem, language: Language, files: [BuildFile], inputs: [String: [UInt8]])
        -> BuildOutcome
    {
        let libraries = [".o", ".a", ".so", ".obj"]
        func isProgram(_ f: BuildFile) -> Bool {
            guard f.mode & 0o111 != 0, inputs[f.path] != f.bytes else { return false }
            let parts = f.path.split(separator: "/")
            if parts.contains("CMakeFiles") { return false }
            if system == .cmake && parts.first != "build" { return false }
            let name = parts.last.map(String.init) ?? ""
            return !libraries.contains { name.hasSuffix($0) } && !name.contains(".so.")
        }
        let programs = files.filter(isProgram)
        guard !programs.isEmpty else {
            return .failed(
                .compileError,
                "the \(system.fileName) build succeeded but made no executable (looked for a new file with execute permission in \(system.outputs))"
            )
        }
        var l = language
        if programs.count == 1 { l.run = ["./" + programs[0].path] }
        var build = Build(language: l, files: files.filter { inputs[$0.path] != nil && !isProgram($0) } + programs)
        build.programs = programs.map(\.path).sorted()
        return .built(build)
    }

    /// This build for a problem: for a program its own build made, the executable the problem
    /// names (matched by its path, or its file name), else the only one; the compile error
    /// that names what was looked for when there is none to run.
    public func program(named executable: String?) -> BuildOutcome {
        guard let programs else { return .built(self) }
        let made = programs.joined(separator: ", ")
        let chosen: String
        if let executable {
            let matches = programs.filter { $0 == executable || $0.split(separator: "/").last.map(String.init) == executable }
            guard matches.count == 1 else {
                return .failed(
                    .compileError,
                    matches.isEmpty
                        ? "the build made no executable '\(executable)' (the problem's executable); it made: \(made)"
                        : "the build made several executables named '\(executable)': \(made)")
            }
            chosen = matches[0]
        } else {
            guard programs.count == 1 else {
                return .failed(
                    .compileError,
                    "the build made \(programs.count) executables (\(made)) and the problem names none to run (give it 'executable:')"
                )
            }
            chosen = programs[0]
        }
        var b = self
        b.language.run = ["./" + chosen]
        return .built(b)
    }
}
