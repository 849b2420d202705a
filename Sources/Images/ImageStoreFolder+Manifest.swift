import Foundation
import Sandbox
import SystemPackage

/// Reading manifests (JSON, with Foundation's decoder): here and not in Sandbox, which
/// links no Foundation (see `ImageManifest`).
extension ImageStoreFolder {
    /// The manifest of image `name`.
    public func manifest(named name: String) throws -> ImageManifest {
        guard Self.isValidName(name) else {
            throw SandboxError(.invalidConfiguration, "\"\(name)\" is not an image name")
        }
        let path = manifestPath(name)
        let fd = try openManifest(path, name: name)
        defer { try? fd.close() }
        let bytes = try SandboxFileSystem.readAll(fd, limit: 16 << 20, path: path.string)
        do {
            return try JSONDecoder().decode(ImageManifest.self, from: Data(bytes))
        } catch {
            throw SandboxError(.invalidConfiguration, "image \(name): its manifest \(path) is not valid: \(error)")
        }
    }

    private func openManifest(_ path: FilePath, name: String) throws -> FileDescriptor {
        do {
            return try FileDescriptor.open(path, .readOnly, options: .closeOnExec)
        } catch let errno as Errno where errno == .noSuchFileOrDirectory {
            throw SandboxError(.invalidConfiguration, "no image \(name) in \(root) (proctor image ls lists them)")
        } catch let errno as Errno {
            throw SandboxError(.invalidConfiguration, "image \(name)", errno: errno)
        }
    }

    /// The sandbox image of image `name`.
    public func sandboxImage(named name: String) throws -> SandboxConfiguration.Image {
        sandboxImage(try manifest(named: name))
    }
}
