import Foundation
import Sandbox
import SystemPackage
import Yams

/// A recipe in YAML:
///
///     name: py-six                 # optional; the file's name without .yaml otherwise
///     base: debian:bookworm        # or {suite: bookworm, variant: minbase, include: [ca-certificates]}
///     steps:
///       - apt: [python3-pip]
///       - pip: [six==1.17.0]
///       - run: python3 -c 'import six'
///       - copy: {from: ./data, to: /opt/data}   # from: relative to the recipe's folder
///
/// Errors name the file and line: "recipe.yaml:5: unknown step \"ap\"".
public struct RecipeFile: Sendable {
    public var name: String
    public var recipe: Recipe

    public static func load(_ path: FilePath) throws -> RecipeFile {
        guard let data = FileManager.default.contents(atPath: path.string) else {
            throw ImageError(.invalidRecipe, "\(path): cannot read the recipe")
        }
        let base = path.lastComponent?.stem ?? "image"
        return try parse(
            String(decoding: data, as: UTF8.self), file: path.string, folder: path.removingLastComponent(), defaultName: base)
    }

    public static func parse(_ text: String, file: String, folder: FilePath, defaultName: String) throws -> RecipeFile {
        func fail(_ node: Node?, _ message: String) -> ImageError {
            ImageError(.invalidRecipe, "\(file):\(node?.mark?.line ?? 1): \(message)")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw fail(nil, "an empty recipe") }
            root = node
        } catch let error as ImageError {
            throw error
        } catch {
            throw ImageError(.invalidRecipe, "\(file): not YAML: \(error)")
        }
        guard let mapping = root.mapping else { throw fail(root, "a recipe is a mapping (base:, steps:)") }
        var name = defaultName
        var recipe = Recipe.debian(.bookworm)
        for (key, value) in mapping {
            switch key.string {
            case "name":
                guard let v = value.string, ImageStoreName.isValid(v) else {
                    throw fail(value, "name: letters, digits, '.', '_' and '-' only")
                }
                name = v
            case "base":
                recipe.base = try parseBase(value, fail)
            case "steps":
                guard let steps = value.sequence else { throw fail(value, "steps: a list") }
                for node in steps {
                    let step = try parseStep(node, folder: folder, fail)
                    do {
                        try Recipe.validate(step, index: recipe.steps.count)
                    } catch let error as ImageError {
                        throw fail(node, error.message)
                    }
                    recipe.steps.append(step)
                }
            default:
                throw fail(key, "unknown key \"\(key.string ?? "")\" (name, base, steps)")
            }
        }
        do {
            try recipe.validate()
        } catch let error as ImageError {
            throw fail(mapping["base"], error.message)
        }
        return RecipeFile(name: name, recipe: recipe)
    }

    private static func parseBase(_ node: Node, _ fail: (Node?, String) -> ImageError) throws -> Recipe.Base {
        if let s = node.string {
            let parts = s.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0] == "debian" else { throw fail(node, "base: \"debian:SUITE\" (debian:bookworm)") }
            return Recipe.Base(suite: Recipe.Suite(rawValue: parts[1]))
        }
        guard let m = node.mapping else { throw fail(node, "base: \"debian:SUITE\" or {suite:, variant:, include:}") }
        var base = Recipe.Base(suite: .bookworm)
        for (key, value) in m {
            switch key.string {
            case "suite": base.suite = Recipe.Suite(rawValue: try scalar(value, fail))
            case "variant": base.variant = try scalar(value, fail)
            case "include": base.include = try list(value, fail)
            default: throw fail(key, "unknown key \"\(key.string ?? "")\" in base (suite, variant, include)")
            }
        }
        return base
    }

    private static func parseStep(_ node: Node, folder: FilePath, _ fail: (Node?, String) -> ImageError) throws
        -> Recipe.Step
    {
        guard let m = node.mapping, m.count == 1, let first = m.first else {
            throw fail(node, "a step is one of apt:, pip:, run:, copy:")
        }
        let (key, value) = (first.key, first.value)
        switch key.string {
        case "apt": return .apt(try list(value, fail))
        case "pip": return .pip(try list(value, fail))
        case "run": return .run(try scalar(value, fail))
        case "copy":
            guard let c = value.mapping, let from = c["from"]?.string, let to = c["to"]?.string, c.count == 2 else {
                throw fail(value, "copy: {from: HOST_PATH, to: /ABSOLUTE/PATH}")
            }
            let source = FilePath(from)
            return .copy(from: source.isAbsolute ? source : folder.pushing(source), to: to)
        default:
            throw fail(key, "unknown step \"\(key.string ?? "")\" (apt, pip, run, copy)")
        }
    }

    private static func scalar(_ node: Node, _ fail: (Node?, String) -> ImageError) throws -> String {
        guard let s = node.string else { throw fail(node, "a string") }
        return s
    }

    /// A list of strings, or one string of space-separated words.
    private static func list(_ node: Node, _ fail: (Node?, String) -> ImageError) throws -> [String] {
        if let s = node.string { return s.split(separator: " ").map(String.init) }
        guard let seq = node.sequence else { throw fail(node, "a list of names") }
        return try seq.map { try scalar($0, fail) }
    }
}

enum ImageStoreName {
    static func isValid(_ name: String) -> Bool { ImageStoreFolder.isValidName(name) }
}
