import Foundation

/// The languages past the first eight, each after Kattis' definition (problemtools'
/// languages.yaml and the Kattis language pages): its extensions, how its entry point is
/// named, and commands that work in the sandbox (read-only /usr, the workdir the only
/// writable folder besides a small /tmp, no network). Compilers' caches go below the
/// workdir in hidden folders, which a build leaves behind.
extension Language {
    /// JVM languages run by a launcher script (kotlin, scala) that takes its JVM flags from
    /// JAVA_OPTS: serial GC and a deep stack as Kattis runs Java, and a home folder (Java
    /// reads it from the password file, where the sandbox's user is not: it would make `?/`).
    static let jvmScriptEnvironment = ["JAVA_OPTS": "-XX:+UseSerialGC -Xss64m -XX:TieredStopAtLevel=1 -Duser.home=/tmp"]

    /// The BEAM (Erlang, Elixir): no crash dump file, and one scheduler of each kind, so the
    /// thread count does not grow with the host's cores.
    static let beamEnvironment = ["ERL_CRASH_DUMP_SECONDS": "0", "ERL_FLAGS": "+S 1:1 +SDcpu 1:1 +SDio 1"]

    static let erlangStart = """
        M = '{stem}', {module, M} = code:ensure_loaded(M), \
        case erlang:function_exported(M, start, 0) of true -> M:start(); false -> M:main([]) end, init:stop().
        """

    /// TypeScript without @types/node (Debian ships none): Node's globals declared loosely,
    /// so programs that read input with require("fs") or process.stdin type-check.
    static let typeScriptCompile = """
        echo 'declare var require: any, process: any, module: any, exports: any, Buffer: any, __dirname: string, __filename: string;' > .node-globals.d.ts \
        && exec /usr/bin/tsc --target es2020 --module commonjs --strict --outDir . {file} .node-globals.d.ts
        """

    public static let more: [Language] = [
        Language(
            id: "go", name: "Go", extensions: ["go"], fileName: "solution.go",
            compile: ["/usr/bin/go", "build", "-o", "solution", "{files}"], run: ["./solution"],
            requires: ["/usr/bin/go"],
            environment: [
                "GOCACHE": "/sandbox/.cache/go-build", "GOPATH": "/sandbox/.go", "GO111MODULE": "off",
                "GOPROXY": "off", "GOTOOLCHAIN": "local",
            ],
            memoryAllowance: 64 << 20, processAllowance: 64, compileTime: .seconds(60)),
        Language(
            id: "ruby", name: "Ruby", extensions: ["rb"], fileName: "solution.rb",
            compile: ["/usr/bin/ruby", "-c", "solution.rb"], run: ["/usr/bin/ruby", "solution.rb"],
            requires: ["/usr/bin/ruby"], memoryAllowance: 32 << 20, processAllowance: 8
        ).naming(.kept),
        Language(
            id: "php", name: "PHP", extensions: ["php"], fileName: "solution.php",
            compile: ["/usr/bin/php", "-n", "-d", "display_errors=stderr", "-d", "html_errors=0", "-l", "solution.php"],
            run: [
                "/usr/bin/php", "-n", "-d", "display_errors=stderr", "-d", "html_errors=0", "-d", "memory_limit=-1",
                "-f", "solution.php",
            ],
            requires: ["/usr/bin/php"], memoryAllowance: 32 << 20
        ).naming(.kept),
        Language(
            id: "perl", name: "Perl", extensions: ["pl", "pm"], fileName: "solution.pl",
            compile: ["/usr/bin/perl", "-c", "solution.pl"], run: ["/usr/bin/perl", "solution.pl"],
            requires: ["/usr/bin/perl"]
        ).naming(.kept).withShebang(#"^#!.*\bperl"#, for: ["pl"]),
        Language(
            id: "lua", name: "Lua 5.4", extensions: ["lua"], fileName: "solution.lua",
            compile: ["/usr/bin/luac5.4", "-o", "solution.luac", "solution.lua"], run: ["/usr/bin/lua5.4", "solution.luac"],
            requires: ["/usr/bin/luac5.4", "/usr/bin/lua5.4"]),
        // Kattis: the class of a file's top-level functions is its name capitalized + "Kt".
        Language(
            id: "kotlin", name: "Kotlin", extensions: ["kt"], fileName: "solution.kt",
            compile: ["/usr/bin/kotlinc", "-d", ".", "{files}"], run: ["/usr/bin/kotlin", "-cp", ".", "{Stem}Kt"],
            requires: ["/usr/bin/kotlinc", "/usr/bin/kotlin", "/usr/bin/java"], environment: jvmScriptEnvironment,
            memoryAllowance: 256 << 20, processAllowance: 64, compileTime: .seconds(180), compileMemory: 2 << 30
        ).naming(.kept),
        // Kattis runs the class named after the file (Judge0: Main.scala, object Main).
        Language(
            id: "scala", name: "Scala", extensions: ["scala", "sc"], fileName: "Main.scala",
            compile: ["/usr/bin/scalac", "-encoding", "UTF-8", "-d", ".", "{files}"],
            run: ["/usr/bin/scala", "-nc", "-classpath", ".", "{stem}"],
            requires: ["/usr/bin/scalac", "/usr/bin/scala", "/usr/bin/java"], environment: jvmScriptEnvironment,
            memoryAllowance: 256 << 20, processAllowance: 64, compileTime: .seconds(180), compileMemory: 2 << 30
        ).naming(.kept),
        Language(
            id: "csharp", name: "C# (Mono)", extensions: ["cs"], fileName: "solution.cs",
            compile: ["/usr/bin/mcs", "-out:solution.exe", "-optimize+", "-r:System.Numerics", "{files}"],
            run: ["/usr/bin/mono", "solution.exe"], requires: ["/usr/bin/mcs", "/usr/bin/mono"],
            memoryAllowance: 64 << 20, processAllowance: 32, compileTime: .seconds(60)),
        // The package database is in /var/lib/ghc; objects and interfaces go to .ghc/.
        Language(
            id: "haskell", name: "Haskell (GHC)", extensions: ["hs"], fileName: "solution.hs",
            compile: [
                "/usr/bin/ghc", "-O2", "-ferror-spans", "-threaded", "-rtsopts", "-outputdir", ".ghc",
                "-o", "solution", "{files}",
            ],
            run: ["./solution"], requires: ["/usr/bin/ghc"], binds: ["/var/lib/ghc"],
            memoryAllowance: 16 << 20, processAllowance: 16, compileTime: .seconds(120), compileMemory: 2 << 30),
        Language(
            id: "ocaml", name: "OCaml", extensions: ["ml"], fileName: "solution.ml",
            compile: ["/usr/bin/ocamlopt", "-o", "solution", "unix.cmxa", "str.cmxa", "bigarray.cmxa", "{files}"],
            run: ["./solution"], requires: ["/usr/bin/ocamlopt"], compileTime: .seconds(60)),
        Language(
            id: "lisp", name: "Common Lisp (SBCL)", extensions: ["lisp", "cl"], fileName: "solution.lisp",
            compile: [
                "/usr/bin/sbcl", "--noinform", "--noprint", "--non-interactive", "--eval",
                #"(if (equal (compile-file "solution.lisp") NIL) (sb-ext:exit :code 43) ())"#,
            ],
            run: ["/usr/bin/sbcl", "--control-stack-size", "64", "--noinform", "--non-interactive", "--load", "solution.fasl"],
            requires: ["/usr/bin/sbcl"], memoryAllowance: 64 << 20, compileTime: .seconds(60)),
        Language(
            id: "pascal", name: "Pascal (Free Pascal)", extensions: ["pas"], fileName: "solution.pas",
            compile: ["/usr/bin/fpc", "-O2", "-XS", "-Xt", "-osolution", "solution.pas"], run: ["./solution"],
            requires: ["/usr/bin/fpc"]),
        // Kept: .f is fixed form, .f90 free form.
        Language(
            id: "fortran", name: "Fortran (gfortran)", extensions: ["f90", "f", "for", "f95", "f03"], fileName: "solution.f90",
            compile: ["/usr/bin/gfortran", "-O2", "-std=gnu", "-o", "solution", "{files}"], run: ["./solution"],
            requires: ["/usr/bin/gfortran"]
        ).naming(.kept),
        Language(
            id: "ada", name: "Ada (GNAT)", extensions: ["adb", "ada"], fileName: "solution.adb",
            compile: ["/usr/bin/gnatmake", "-q", "-O2", "-o", "solution", "solution.adb"], run: ["./solution"],
            requires: ["/usr/bin/gnatmake"], compileTime: .seconds(60)),
        Language(
            id: "d", name: "D (GDC)", extensions: ["d"], fileName: "solution.d",
            compile: ["/usr/bin/gdc", "-O2", "-o", "solution", "{files}"], run: ["./solution"],
            requires: ["/usr/bin/gdc"], compileTime: .seconds(60)),
        // Kattis: a saved state that runs main/0, then halts.
        Language(
            id: "prolog", name: "Prolog (SWI-Prolog)", extensions: ["pl"], fileName: "solution.pl",
            compile: ["/usr/bin/swipl", "-O", "-q", "-g", "main", "-t", "halt", "-o", "solution", "-c", "{files}"],
            run: ["./solution"], requires: ["/usr/bin/swipl"], memoryAllowance: 32 << 20, processAllowance: 8),
        // The file is named after its module (erlc insists); start/0 runs, as Kattis runs it,
        // else main/1 with no arguments (an escript's entry, which Judge0's programs have).
        Language(
            id: "erlang", name: "Erlang", extensions: ["erl"], fileName: "solution.erl",
            compile: ["/usr/bin/erlc", "{files}"], run: ["/usr/bin/erl", "-noshell", "-eval", erlangStart],
            requires: ["/usr/bin/erlc", "/usr/bin/erl"], environment: beamEnvironment,
            memoryAllowance: 128 << 20, processAllowance: 64, compileTime: .seconds(60)
        ).naming(.erlangModule),
        // A script (Judge0's form): its syntax checked first, then run.
        Language(
            id: "elixir", name: "Elixir", extensions: ["exs", "ex"], fileName: "solution.exs",
            compile: ["/usr/bin/elixir", "-e", #"Code.string_to_quoted!(File.read!("solution.exs"))"#],
            run: ["/usr/bin/elixir", "solution.exs"], requires: ["/usr/bin/elixir", "/usr/bin/erl"],
            environment: beamEnvironment, memoryAllowance: 128 << 20, processAllowance: 64, compileTime: .seconds(60)),
        Language(
            id: "r", name: "R", extensions: ["r"], fileName: "solution.R",
            compile: ["/usr/bin/Rscript", "-e", #"invisible(parse("solution.R"))"#], run: ["/usr/bin/Rscript", "solution.R"],
            requires: ["/usr/bin/Rscript"], memoryAllowance: 64 << 20),
        Language(
            id: "typescript", name: "TypeScript", extensions: ["ts"], fileName: "solution.ts",
            compile: ["/bin/sh", "-c", typeScriptCompile], run: ["/usr/bin/node", "--stack-size=65500", "solution.js"],
            requires: ["/usr/bin/tsc", "/usr/bin/node"], memoryAllowance: 128 << 20, processAllowance: 32,
            compileTime: .seconds(90)),
        python2,
    ]

    /// Python 2, as Kattis has it: a .py2 file, or a .py whose first line names python2.
    /// PyPy as Kattis runs it, else CPython 2.7 (Debian 12 has neither; a pyenv 2.7.18 will do).
    static let python2: Language = {
        let pyenv = "/root/.pyenv/versions/2.7.18"
        let variants = [
            ("/usr/bin/pypy", "Python 2 (PyPy)", [String]()), ("/usr/bin/python2", "Python 2", []),
            (pyenv + "/bin/python2.7", "Python 2", [pyenv]),
        ]
        let (python, name, binds) = variants.first { access($0.0, X_OK) == 0 } ?? variants[0]
        return Language(
            id: "python2", name: name, extensions: ["py2", "py"], fileName: "solution.py",
            compile: [python, "-m", "py_compile", "{files}"], run: [python, "solution.py"],
            requires: [python], binds: binds
        ).naming(.kept).withShebang(#"^#!.*python2\b"#, for: ["py"])
    }()
}
