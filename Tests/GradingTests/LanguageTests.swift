import Foundation
import SystemPackage
import Testing

@testable import Grading

@Suite("Languages: file and class names (Kattis rules)")
struct LanguageNamingTests {
    let java = LanguageTable().language(id: "java")!
    let python = LanguageTable().language(id: "python3")!

    func resolve(_ l: Language, _ name: String, _ text: String) -> Language {
        l.resolved(original: name, source: Array(text.utf8))
    }

    @Test func javaClassNamedAfterItsFile() {
        let l = resolve(java, "hello.java", "public class hello {\n public static void main(String[] a) {}\n}\n")
        #expect(l.fileName == "hello.java")
        #expect(l.compile?.last == "hello.java")
        #expect(l.run.last == "hello")
    }

    @Test func javaPublicClassDecidesTheFileName() {
        // A server upload saved as Main.java, or a file named otherwise: javac wants the class's name.
        let l = resolve(
            java, "Main.java",
            "import java.util.*;\n\npublic final class Different {\n  public static void main(String[] args) {}\n}\n")
        #expect(l.fileName == "Different.java" && l.run.last == "Different")
        let m = resolve(java, "sum.java", "public class Main { public static void main(String[] a) {} }")
        #expect(m.fileName == "Main.java" && m.run.last == "Main")
    }

    @Test func javaWithoutPublicClassRunsTheClassWithMain() {
        let l = resolve(
            java, "solution.java",
            "// class Fake\nclass Helper { int x; }\nclass Runner {\n  static public void main(String[] a) {}\n}\n")
        #expect(l.fileName == "solution.java")
        #expect(l.run.last == "Runner")
        let odd = resolve(java, "my-solution.java", "class A { public static void main(String[] a) {} }")
        #expect(odd.fileName == "A.java" && odd.run.last == "A")
    }

    @Test func javaNestedPublicStaticClassIsNotTheFile() {
        let l = resolve(
            java, "guess.java", "class guess {\n  public static class Inner {}\n  public static void main(String[] a) {}\n}\n")
        #expect(l.fileName == "guess.java" && l.run.last == "guess")
    }

    @Test func pythonKeepsItsFileName() {
        let l = resolve(python, "hello.py", "print('hi')\n")
        #expect(l.fileName == "hello.py")
        #expect(l.run == ["/usr/bin/python3", "hello.py"])
        #expect(l.compile == ["/usr/bin/python3", "-m", "py_compile", "hello.py"])
        // A name that is not a plain file name keeps the language's own.
        #expect(resolve(python, ".hidden.py", "").fileName == "solution.py")
        #expect(resolve(python, "a b.py", "").fileName == "solution.py")
    }

    @Test func py3IsPython3UnderItsOwnName() {
        // Kattis' Python 3 takes .py3 too (problemtools' languages.yaml).
        let table = LanguageTable()
        #expect(table.detect(FilePath("hello.py3"))?.id == "python3")
        let l = resolve(python, "hello.py3", "print('hi')\n")
        #expect(l.fileName == "hello.py3")
        #expect(l.run == ["/usr/bin/python3", "hello.py3"])
    }

    @Test func otherLanguagesKeepTheirFixedName() {
        let cpp = LanguageTable().language(id: "cpp")!
        let l = resolve(cpp, "hello.cc", "int main() {}")
        #expect(l.fileName == "solution.cpp" && l.run == ["./solution"])
    }
}

/// Folder submissions (Kattis allows them): the language, the main file and `{files}`, by
/// problemtools' rules.
@Suite("Languages: folder submissions (problemtools' rules)")
struct FolderSubmissionTests {
    let table = LanguageTable()

    func detect(_ files: [(String, String)]) -> String? {
        table.detect(files: files.map { (path: $0.0, firstLine: $0.1) })?.id
    }

    @Test func languageIsTheOneMostFilesAreIn() {
        #expect(detect([("different.pl", "[kattio]."), ("kattio.pl", "% Prolog predicates")]) == "prolog")
        #expect(detect([("a.py", ""), ("b.py", ""), ("c.cpp", "")]) == "python3")
        // A tie: C++ wins by problemtools' priority (1000 against Python 3's 850).
        #expect(detect([("notes.py", ""), ("sum.cc", "")]) == "cpp")
        #expect(detect([("sum.c", ""), ("sum.cc", "")]) == "cpp")
        // A .py counts for Python 2 only with a python2 shebang, and for Python 3 always.
        #expect(detect([("x.py", "#!/usr/bin/env python2"), ("y.py", "")]) == "python3")
        #expect(detect([("x.py", "#!/usr/bin/env python2"), ("y.py2", "")]) == "python2")
        // A .pl whose shebang names perl: Perl (the shebang's claim wins a tie, as for one file).
        #expect(detect([("a.pl", "#!/usr/bin/perl")]) == "perl")
        #expect(detect([("README", ""), ("notes.txt", "")]) == nil)
    }

    @Test func mainFileAndFilesPlaceholder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-folder-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/lib", withIntermediateDirectories: true)
        for f in ["b.c", "a.c", "lib/z.c", "x.h", ".hidden.c"] {
            try "int x;\n".write(toFile: dir + "/" + f, atomically: true, encoding: .utf8)
        }
        let root = ConfinedRoot(FilePath(dir))
        var s = try Submission.folder(name: "f", path: dir, root: root, folder: ".", languages: table)
        #expect(s.language.id == "c")
        // No main.*: the first source, sorted (problemtools); hidden files left out.
        #expect(s.mainFile == "a.c")
        #expect(s.files.map(\.target) == ["b.c", "lib/z.c", "x.h"])
        try "int main() {}\n".write(toFile: dir + "/MAIN.c", atomically: true, encoding: .utf8)
        s = try Submission.folder(name: "f", path: dir, root: root, folder: ".", languages: table)
        #expect(s.mainFile == "MAIN.c")
        // {files}: every C source, sorted; the main file under its own name.
        let l = s.language.resolved(
            original: "MAIN.c", source: [], sources: ["MAIN.c", "a.c", "b.c", "lib/z.c"], keepName: true)
        #expect(
            l.compile == [
                "/usr/bin/gcc", "-std=gnu17", "-O2", "-pipe", "-o", "solution", "MAIN.c", "a.c", "b.c", "lib/z.c", "-lm",
            ])
        // One file: exactly the command of before.
        let one = s.language.resolved(original: "x.c", source: [])
        #expect(one.compile == ["/usr/bin/gcc", "-std=gnu17", "-O2", "-pipe", "-o", "solution", "solution.c", "-lm"])
        // A name the workdir cannot take is refused.
        try "int y;\n".write(toFile: dir + "/my file.c", atomically: true, encoding: .utf8)
        #expect(throws: GradingError.self) {
            try Submission.folder(name: "f", path: dir, root: root, folder: ".", languages: table)
        }
    }

    @Test func javaFolderRunsTheClassWithMain() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-folder-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "class Helper { int f() { return 1; } }\n".write(toFile: dir + "/Helper.java", atomically: true, encoding: .utf8)
        try "public class Sum {\n public static void main(String[] a) {}\n}\n".write(
            toFile: dir + "/Sum.java", atomically: true, encoding: .utf8)
        let s = try Submission.folder(name: "f", path: dir, root: ConfinedRoot(FilePath(dir)), folder: ".", languages: table)
        #expect(s.language.id == "java" && s.mainFile == "Sum.java")
        let l = s.language.resolved(
            original: "Sum.java", source: Array(try String(contentsOfFile: dir + "/Sum.java", encoding: .utf8).utf8),
            sources: ["Helper.java", "Sum.java"], keepName: true)
        #expect(l.compile?.suffix(2) == ["Helper.java", "Sum.java"])
        #expect(l.run.last == "Sum")
    }
}
