/// `map` with at most `jobs` elements in flight; results in input order.
func concurrentMap<T: Sendable, R: Sendable>(_ items: [T], jobs: Int, _ body: @escaping @Sendable (T) async -> R) async -> [R] {
    var out = [R?](repeating: nil, count: items.count)
    await withTaskGroup(of: (Int, R).self) { group in
        var next = 0
        while next < min(jobs, items.count) {
            let i = next
            group.addTask { (i, await body(items[i])) }
            next += 1
        }
        for await (i, r) in group {
            out[i] = r
            if next < items.count {
                let j = next
                group.addTask { (j, await body(items[j])) }
                next += 1
            }
        }
    }
    return out.map { $0! }
}
