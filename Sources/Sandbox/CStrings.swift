#if canImport(Glibc)
import Glibc
#endif

/// Owns C strings and pointer arrays for one spawn: everything the child reads must exist
/// before fork, and the child must not allocate.
final class CStrings {
    private var owned: [UnsafeMutablePointer<CChar>] = []
    private var arrays: [UnsafeMutablePointer<UnsafePointer<CChar>?>] = []

    func string(_ s: String) -> UnsafePointer<CChar> {
        let p = strdup(s)!
        owned.append(p)
        return UnsafePointer(p)
    }

    func optional(_ s: String?) -> UnsafePointer<CChar>? {
        s.map(string)
    }

    /// A NULL-terminated array of C strings (argv, envp).
    func array(_ items: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
        let a = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: items.count + 1)
        for (i, item) in items.enumerated() { a[i] = string(item) }
        a[items.count] = nil
        arrays.append(a)
        return UnsafePointer(a)
    }

    /// A writable scratch buffer the child may fill (e.g. PATH search).
    func buffer(_ size: Int) -> UnsafeMutablePointer<CChar> {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: size)
        p.initialize(repeating: 0, count: size)
        owned.append(p)
        return p
    }

    deinit {
        for p in owned { free(p) }
        for a in arrays { a.deallocate() }
    }
}
