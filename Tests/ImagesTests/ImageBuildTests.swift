import Foundation
import Grading
import Images
import Sandbox
import SystemPackage
import TestSupport
import Testing

/// What the build tests need: root (sandboxes), debootstrap, and Debian's archive and PyPI
/// on the network. Anything missing skips them, with the reason printed.
enum ImageHost {
    static let mirror = ImageBuilder.hostMirror()

    static func reachable(_ url: String) -> Bool {
        guard let host = URL(string: url)?.host else { return false }
        let port = url.hasPrefix("https") ? 443 : 80
        let r = try? Host.run(["/usr/bin/timeout", "10", "/bin/bash", "-c", "exec 3<>/dev/tcp/\(host)/\(port)"])
        return r?.status == 0
    }

    static let missing: String? = {
        if geteuid() != 0 { return "not root" }
        if ImageBuilder.debootstrap == nil { return "debootstrap is not installed (scripts/setup.sh installs it)" }
        if !reachable(mirror) { return "Debian's archive (\(mirror)) is not reachable" }
        if !reachable("https://pypi.org/simple/") { return "PyPI is not reachable" }
        return nil
    }()

    static func available() -> Bool {
        if let missing { print("⚠️  ImagesTests: \(missing): the image build tests are SKIPPED") }
        return missing == nil
    }

    /// The tests' store: kept between runs (the base and the apt layer are the slow part,
    /// minutes cold; seconds once cached). $PROCTOR_TEST_IMAGES moves it.
    static let store = ImageStore(
        FilePath(ProcessInfo.processInfo.environment["PROCTOR_TEST_IMAGES"] ?? "/var/lib/proctor/test-images"))

    /// The image every test here starts from: Python with a pip-installed package.
    static let recipe = Image.debian(.bookworm).apt("python3-pip").pip("six==1.17.0")

    /// Built once per test process.
    static let python: Task<ImageBuilder.Report, any Error> = Task {
        try await ImageBuilder(store: store).build(recipe, name: "test-python")
    }
}

extension Trait where Self == ConditionTrait {
    /// Root, debootstrap, and the network to Debian's archive and PyPI; else skipped, saying so.
    static var imageHost: Self {
        .enabled("needs root, debootstrap and the network to Debian's archive and PyPI") { ImageHost.available() }
    }
}

@Suite(
    "images: build, cache, sandboxes, snapshots, attacks", .serialized,
    .imageHost, .timeLimit(.minutes(15)))
struct ImageBuildTests {
    let store = ImageHost.store

    func sandbox(_ name: String, _ edit: (inout SandboxConfiguration) -> Void = { _ in }) throws -> SandboxConfiguration {
        var c = SandboxConfiguration()
        c.image = try store.folder.sandboxImage(named: name)
        edit(&c)
        return c
    }

    @Test("a recipe builds; a program imports the pip-installed package in a sandbox from it")
    func buildAndImport() async throws {
        let report = try await ImageHost.python.value
        print(
            "image build: "
                + report.steps.map { "\($0.description): \($0.cached ? "cached" : String(format: "%.1f s", $0.seconds))" }.joined(
                    separator: "; "))
        #expect(report.manifest.layers.count == 3)
        try await withSandbox(sandbox("test-python")) { (s: Sandbox) async throws in
            let r = try await s.run(["python3", "-c", "import six, sys; print(six.__version__, sys.version_info[0])"])
            #expect(r.out == "1.17.0 3\n", "\(r.out)\(r.err)\(r.error ?? "")")
            // The host's toolchain is not what runs: the image's Debian does.
            let release = try await s.run(["cat", "/etc/debian_version"])
            #expect(release.out.hasPrefix("12."))
        }
    }

    @Test("the cache: unchanged steps are skipped, a changed last step alone is built")
    func cacheSkipsUnchangedSteps() async throws {
        _ = try await ImageHost.python.value
        let marker = UUID().uuidString
        let builder = ImageBuilder(store: store)
        let changed = ImageHost.recipe.run("echo \(marker) > /etc/proctor-marker")
        let first = try await builder.build(changed, name: "test-marker")
        #expect(first.steps.map(\.cached) == [true, true, true, false])
        let start = ContinuousClock.now
        let again = try await builder.build(changed, name: "test-marker")
        let elapsed = ContinuousClock.now - start
        #expect(again.steps.allSatisfy { $0.cached })
        #expect(elapsed < .seconds(5), "a fully cached build took \(elapsed)")
        try await withSandbox(sandbox("test-marker")) { (s: Sandbox) async throws in
            #expect(try await s.run(["cat", "/etc/proctor-marker"]).out == marker + "\n")
        }
        // Prune drops the marker layer once no image names it; the shared layers stay.
        try store.remove("test-marker")
        let pruned = try store.prune()
        #expect(pruned.layers.contains(first.manifest.layers[3].digest))
        #expect(store.hasLayer(first.manifest.layers[2].digest))
    }

    @Test("attack: a recipe step (root in its sandbox) cannot write to the host, mount, or touch the kernel's knobs")
    func stepCannotReachTheHost() async throws {
        _ = try await ImageHost.python.value
        let token = "proctor-escape-\(UUID().uuidString)"
        let script = """
            bad=0
            touch /\(token) /tmp/\(token) /root/\(token) || true
            v=$(cat /proc/sys/vm/overcommit_memory)
            if (echo "$v" > /proc/sys/vm/overcommit_memory) 2>/dev/null; then echo "wrote /proc/sys"; bad=1; fi
            if [ -w /proc/sysrq-trigger ]; then echo "sysrq-trigger writable"; bad=1; fi
            if mount -t tmpfs none /mnt 2>/dev/null; then echo "mounted"; bad=1; fi
            if mknod /\(token).dev b 8 0 2>/dev/null; then echo "made a block device"; bad=1; fi
            if unshare -m true 2>/dev/null; then echo "unshared"; bad=1; fi
            if chroot / true 2>/dev/null; then echo "chrooted"; bad=1; fi
            if [ -e /work ] || [ -e /var/lib/proctor ] || [ -e /run/proctor ]; then echo "sees host folders"; bad=1; fi
            if ls /proc/1/root/ >/dev/null 2>&1 && [ -e /proc/1/root/work ]; then echo "reached init's root"; bad=1; fi
            caps=$(grep CapEff /proc/self/status | cut -f2)
            [ "$caps" = "00000000800000fb" ] || { echo "capabilities $caps"; bad=1; }
            rm -f /etc/debian_version
            exit $bad
            """
        let report = try await ImageBuilder(store: store).build(ImageHost.recipe.run(script), name: "test-attack")
        #expect(!FileManager.default.fileExists(atPath: "/" + token), "a step wrote to the host's /")
        #expect(!FileManager.default.fileExists(atPath: "/\(token).dev"))
        let top = store.layerPath(report.manifest.layers[3].digest)
        // The step's writes are in its layer only; /tmp and /root were its own tmpfs.
        #expect(FileManager.default.fileExists(atPath: top.appending(token).string))
        #expect(!FileManager.default.fileExists(atPath: top.appending("tmp/\(token)").string))
        // The layers below are untouched: the deletion is a whiteout in the new layer.
        let base = store.layerPath(report.manifest.layers[0].digest)
        #expect(FileManager.default.fileExists(atPath: base.appending("etc/debian_version").string))
        var st = stat()
        #expect(lstat(top.appending("etc/debian_version").string, &st) == 0 && st.st_mode & S_IFMT == S_IFCHR && st.st_rdev == 0)
        try await withSandbox(sandbox("test-attack")) { (s: Sandbox) async throws in
            #expect(try await s.run(["test", "-e", "/etc/debian_version"]).exitCode == 1)
        }
        try store.remove("test-attack")
    }

    @Test("attack: a sandbox cannot change an image's files, and its writes are gone after it ends")
    func sandboxWritesAreItsOwn() async throws {
        let report = try await ImageHost.python.value
        let six = try #require(
            report.manifest.layers.map { store.layerPath($0.digest) }.lazy.compactMap { layer -> FilePath? in
                let found = try? FileManager.default.subpathsOfDirectory(atPath: layer.string).first { $0.hasSuffix("/six.py") }
                return found.map { layer.appending($0) }
            }.first)
        let before = try Data(contentsOf: URL(fileURLWithPath: six.string))
        try await withSandbox(sandbox("test-python")) { (s: Sandbox) async throws in
            let r = try await s.run([
                "sh", "-c",
                """
                for f in /usr/bin/python3 /etc/passwd $(python3 -c 'import six; print(six.__file__)'); do
                  if (echo x >> $f) 2>/dev/null; then echo "wrote $f"; fi
                done
                if mount -t tmpfs none /mnt 2>/dev/null; then echo mounted; fi
                echo mine > /sandbox/mine; echo also > /var/tmp/mine; echo ok
                """,
            ])
            #expect(r.out == "ok\n", "\(r.out)\(r.err)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: six.string)) == before)
        for layer in report.manifest.layers {
            #expect(!FileManager.default.fileExists(atPath: store.layerPath(layer.digest).appending("sandbox/mine").string))
        }
        try await withSandbox(sandbox("test-python")) { (s: Sandbox) async throws in
            let r = try await s.run(["sh", "-c", "ls /sandbox; cat /var/tmp/mine 2>/dev/null; echo end"])
            #expect(r.out == "end\n")
        }
    }

    @Test("snapshot: a sandbox's writes become an image that another sandbox starts from")
    func snapshot() async throws {
        _ = try await ImageHost.python.value
        let snapshot = try await withSandbox(sandbox("test-python")) { (s: Sandbox) async throws in
            let r = try await s.run([
                "sh", "-c", "mkdir -p /sandbox/lib && echo 'ANSWER = 42' > /sandbox/lib/answer.py && echo kept > /var/tmp/note",
            ])
            #expect(r.exitCode == 0, "\(r.err)")
            return try await s.snapshot(name: "test-snapshot", store: store)
        }
        #expect(snapshot.layers.count == 4)
        #expect(snapshot.parent == "test-python")
        try await withSandbox(sandbox("test-snapshot")) { (s: Sandbox) async throws in
            let r = try await s.run(
                ["python3", "-c", "import sys; sys.path.insert(0, '/sandbox/lib'); import answer, six; print(answer.ANSWER)"])
            #expect(r.out == "42\n", "\(r.out)\(r.err)")
            #expect(try await s.run(["cat", "/var/tmp/note"]).out == "kept\n")
            // The workdir is this sandbox's again: it writes beside the snapshot's files.
            #expect(try await s.run(["sh", "-c", "echo more > /sandbox/more"]).exitCode == 0)
        }
        try store.remove("test-snapshot")
    }

    @Test("start time: a sandbox from an image starts about as fast as one from the host's /usr")
    func startTime() async throws {
        _ = try await ImageHost.python.value
        func median(_ configuration: SandboxConfiguration) async throws -> Double {
            var times: [Double] = []
            for _ in 0..<21 {
                let start = ContinuousClock.now
                let r = try await withSandbox(configuration) { (s: Sandbox) async throws in try await s.run(["/bin/true"]) }
                #expect(r.exitCode == 0)
                let d = (ContinuousClock.now - start).components
                times.append(Double(d.seconds) * 1000 + Double(d.attoseconds) / 1e15)
            }
            return times.sorted()[times.count / 2]
        }
        let host = try await median(SandboxConfiguration())
        let image = try await median(sandbox("test-python"))
        print(String(format: "sandbox create + /bin/true + terminate, median of 21: host %.1f ms, image %.1f ms", host, image))
        // Loose (CI machines are shared): the overlay mount must not cost a multiple.
        #expect(image < host * 3 + 20, "image \(image) ms against host \(host) ms")
    }
}

@Suite(
    "images: a language whose toolchain comes from an image", .serialized,
    .imageHost)
struct LanguageImageTests {
    @Test("a languages file names an image; its programs run there, and requires is looked for there")
    func languageFromImage() async throws {
        _ = try await ImageHost.python.value
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-lang-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("languages.yaml")
        try """
        languages:
          - id: python-six
            name: Python with six (image)
            extensions: [pysix]
            file_name: solution.py
            run: [python3, solution.py]
            requires: [/usr/bin/python3, /usr/bin/pip3]
            image: test-python
        """.write(to: file, atomically: true, encoding: .utf8)
        let previous = getenv("PROCTOR_IMAGES").map { String(cString: $0) }
        setenv("PROCTOR_IMAGES", ImageHost.store.folder.root.string, 1)
        defer {
            if let previous { setenv("PROCTOR_IMAGES", previous, 1) } else { unsetenv("PROCTOR_IMAGES") }
        }
        var table = LanguageTable()
        try table.load(FilePath(file.path))
        let language = try #require(table.language(id: "python-six"))
        #expect(language.image == "test-python")
        #expect(language.toolchainProblem == nil, "\(language.toolchainProblem ?? "")")
        var missing = language
        missing.requires = ["/usr/bin/gcc"]
        #expect(missing.toolchainProblem?.contains("in image test-python") == true)
        var absent = language
        absent.image = "no-such-image"
        #expect(absent.toolchainProblem != nil)
        try await withSandbox(language.sandboxConfiguration(memory: 256 << 20, processes: 32)) { (s: Sandbox) async throws in
            try s.fs.write("solution.py", "import six\nprint(six.__version__)\n")
            let r = try await s.run(language.run)
            #expect(r.out == "1.17.0\n", "\(r.out)\(r.err)")
        }
    }
}

@Suite(
    "images: the command line (proctor image, proctor exec --image)", .serialized,
    .imageHost)
struct ImageCommandLineTests {
    func proctor(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try Host.run(["/usr/bin/env", "PROCTOR_IMAGES=\(ImageHost.store.folder.root.string)", Host.proctor] + arguments)
    }

    @Test("exec --image (both parsers), image build from YAML with cached steps, ls, rm")
    func commandLine() async throws {
        _ = try await ImageHost.python.value
        let program = ["python3", "-c", "import six; print(six.__version__)"]
        // The front's own parser, and ArgumentParser's (`--image=NAME` is not a plain form).
        for form in [["--image", "test-python"], ["--image=test-python"]] {
            let r = try proctor(["exec"] + form + ["--"] + program)
            #expect(r.status == 0 && r.output == "1.17.0\n", "\(form): \(r.output)")
        }
        let missing = try proctor(["exec", "--image", "no-such-image", "--", "true"])
        #expect(missing.status == 125 && missing.output.contains("no image no-such-image"), "\(missing.output)")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-recipe-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let recipe = folder.appendingPathComponent("cli-image.yaml")
        try "base: debian:bookworm\nsteps:\n  - apt: [python3-pip]\n  - pip: [six==1.17.0]\n".write(
            to: recipe, atomically: true, encoding: .utf8)
        let build = try proctor(["image", "build", recipe.path])
        #expect(build.status == 0, "\(build.output)")
        #expect(build.output.contains("[2/3] apt python3-pip (cached)"), "\(build.output)")
        #expect(build.output.contains("image cli-image: 3 layers, 0 built, 3 cached"), "\(build.output)")
        let list = try proctor(["image", "ls"])
        #expect(list.output.contains("cli-image") && list.output.contains("test-python"), "\(list.output)")
        #expect(try proctor(["image", "rm", "cli-image"]).status == 0)
        #expect(!(try proctor(["image", "ls"]).output.contains("cli-image")))
        #expect(try proctor(["image", "rm", "cli-image"]).status != 0)
    }
}

@Suite(
    "images: OCI image layouts", .serialized,
    .imageHost)
struct OCILayoutTests {
    @Test("export to an OCI layout tar and import it back: the same files, whiteouts kept, and it runs")
    func roundTrip() async throws {
        _ = try await ImageHost.python.value
        let store = ImageHost.store
        // An image with a deletion in its top layer, so that a whiteout goes through both ways.
        _ = try await ImageBuilder(store: store).build(ImageHost.recipe.run("rm /etc/debian_version"), name: "test-oci-source")
        let tar = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-oci-\(getpid()).tar")
        defer { try? FileManager.default.removeItem(at: tar) }
        let oci = OCILayout(store: store)
        try oci.export("test-oci-source", to: FilePath(tar.path))
        let listing = try Host.run(["/bin/tar", "-tf", tar.path]).output
        #expect(listing.contains("oci-layout") && listing.contains("index.json") && listing.contains("blobs/sha256/"))
        let imported = try oci.importImage(from: FilePath(tar.path), name: "test-oci")
        #expect(imported.layers.count == 4)
        var c = SandboxConfiguration()
        c.image = try store.folder.sandboxImage(named: "test-oci")
        try await withSandbox(c) { (s: Sandbox) async throws in
            let r = try await s.run([
                "sh", "-c", "python3 -c 'import six; print(six.__version__)'; test -e /etc/debian_version; echo $?",
            ])
            #expect(r.out == "1.17.0\n1\n", "\(r.out)\(r.err)")
        }
        try store.remove("test-oci")
        try store.remove("test-oci-source")
    }
}
