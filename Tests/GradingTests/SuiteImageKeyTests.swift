import Foundation
import Sandbox
import SystemPackage
import Testing

@testable import Grading

/// `image:` of suites and problems as the loader reads it, against a store holding one
/// manifest (no layers are needed to load: only to run, which ImagesTests do).
@Suite("suite loader: image: on a suite and its problems")
struct SuiteImageKeyTests {
    /// A store folder with a manifest for image `tiny`.
    func withStore<T>(_ body: (ImageStoreFolder) throws -> T) throws -> T {
        let root = NSTemporaryDirectory() + "proctor-store-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ImageStoreFolder(FilePath(root))
        try FileManager.default.createDirectory(atPath: store.imagesFolder.string, withIntermediateDirectories: true)
        let manifest = ImageManifest(
            name: "tiny", layers: [.init(digest: "sha256:00", step: "test")], created: "2026-01-01T00:00:00Z")
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: store.manifestPath("tiny").string))
        return try body(store)
    }

    func errors(_ folder: SuiteFolder, _ store: ImageStoreFolder) -> [String] {
        do {
            _ = try SuiteLoader.load(folder.suitePath, images: store)
            return []
        } catch let e as GradingError {
            return e.diagnostics.map { "\($0.line): \($0.message)" }
        } catch {
            return ["unexpected \(error)"]
        }
    }

    @Test("the suite's image is every problem's that names none; image: host opts out")
    func inherited() throws {
        try withStore { store in
            let folder = try SuiteFolder(
                """
                version: 1
                image: tiny
                problems:
                  - {id: a, tests: [{name: t, answer: "1"}]}
                  - {id: b, image: host, tests: [{name: t, answer: "1"}]}
                  - {id: c, image: tiny, tests: [{name: t, answer: "1"}]}
                """)
            defer { folder.remove() }
            let suite = try SuiteLoader.load(folder.suitePath, images: store)
            #expect(suite.problems.map(\.image) == ["tiny", nil, "tiny"])
        }
    }

    @Test("an unknown image or a bad name is an error at its line, naming no host folder")
    func unknown() throws {
        try withStore { store in
            let folder = try SuiteFolder(
                """
                version: 1
                image: nope
                problems: [{id: a, image: ../tiny, tests: [{name: t, answer: "1"}]}]
                """)
            defer { folder.remove() }
            let found = errors(folder, store)
            #expect(found.count == 2, "\(found)")
            #expect(found.first?.hasPrefix("2: unknown image 'nope'") == true, "\(found)")
            #expect(found.last?.hasPrefix("3: image '../tiny' is not an image name") == true, "\(found)")
            #expect(!found.joined().contains(store.root.string))
        }
    }
}
