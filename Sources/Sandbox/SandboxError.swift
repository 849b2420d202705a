import SystemPackage

/// The one error type of the Sandbox layer: what went wrong, and the errno beneath it.
/// A limit hit is never an error: it is a `ExecResult.Status`.
public struct SandboxError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The machine cannot host sandboxes (not root, no cgroups, no namespaces).
        case unsupported
        /// Preparing the sandbox on the host failed (cgroups, folders, seccomp).
        case setup
        /// A step of the child between fork and exec failed.
        case childSetup
        /// The command could not be executed (not found, not executable).
        case exec
        /// A sandbox path was invalid or escaped the sandbox.
        case invalidPath
        /// A file-system operation on the sandbox failed.
        case fileSystem
        /// The path names a FIFO, socket, device or folder where a regular file is needed.
        case notRegularFile
        /// A file is larger than the caller's size cap.
        case tooLarge
        /// The sandbox was already terminated.
        case terminated
        /// A configuration value made no sense.
        case invalidConfiguration
    }

    public var code: Code
    public var message: String
    public var errno: Errno?

    public init(_ code: Code, _ message: String, errno: Errno? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    public var description: String {
        if let errno { return "\(message): \(errno.symbolicName) (\(errno.description))" }
        return message
    }
}

extension Errno {
    /// "EPERM", "ENOENT": what a person searching the man pages wants to see.
    public var symbolicName: String {
        switch self {
        case .notPermitted: return "EPERM"
        case .noSuchFileOrDirectory: return "ENOENT"
        case .noSuchProcess: return "ESRCH"
        case .interrupted: return "EINTR"
        case .ioError: return "EIO"
        case .badFileDescriptor: return "EBADF"
        case .resourceTemporarilyUnavailable: return "EAGAIN"
        case .noMemory: return "ENOMEM"
        case .permissionDenied: return "EACCES"
        case .fileExists: return "EEXIST"
        case .notDirectory: return "ENOTDIR"
        case .isDirectory: return "EISDIR"
        case .invalidArgument: return "EINVAL"
        case .noSpace: return "ENOSPC"
        case .readOnlyFileSystem: return "EROFS"
        case .tooManyOpenFiles: return "EMFILE"
        case .fileTooLarge: return "EFBIG"
        case .brokenPipe: return "EPIPE"
        case .directoryNotEmpty: return "ENOTEMPTY"
        case .tooManySymbolicLinkLevels: return "ELOOP"
        case .noFunction: return "ENOSYS"
        case .execFormatError: return "ENOEXEC"
        case .argListTooLong: return "E2BIG"
        default: return "errno \(rawValue)"
        }
    }
}
