import Foundation
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

    @Test func otherLanguagesKeepTheirFixedName() {
        let cpp = LanguageTable().language(id: "cpp")!
        let l = resolve(cpp, "hello.cc", "int main() {}")
        #expect(l.fileName == "solution.cpp" && l.run == ["./solution"])
    }
}
